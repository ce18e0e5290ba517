//! Turns the catalogues in `../locales` into the `i18n` module (`t!` keys are checked
//! when the pages compile) and fails the build when a language lacks a key the others
//! have, or a translation names other values than English does: the crate itself would
//! only warn and show English (docs/LANGUAGES.md).

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::path::{Path, PathBuf};

const DEFAULT: &str = "en";
const OTHERS: [&str; 2] = ["zh-CN", "pt-BR"];
const LOCALES_DIR: &str = "../locales";

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed={LOCALES_DIR}");

    let english = keys_of(DEFAULT)?;
    let mut problems = Vec::new();
    for locale in OTHERS {
        let other = keys_of(locale)?;
        // Chinese has a single plural form, and the crate reads a lone `count_other`
        // as a plain key named so (then shows English): it must be written `count`.
        if locale == "zh-CN" {
            for key in plural_forms(locale)? {
                problems.push(format!(
                    "{locale}: \"{key}\" has one form in Chinese; name it without the suffix"
                ));
            }
        }
        for (key, values) in &english {
            match other.get(key) {
                None => problems.push(format!("{locale}: missing \"{key}\"")),
                Some(theirs) if theirs != values => problems.push(format!(
                    "{locale}: \"{key}\" names {theirs:?}, English names {values:?}"
                )),
                Some(_) => {}
            }
        }
        for key in other.keys().filter(|k| !english.contains_key(*k)) {
            problems.push(format!("{locale}: \"{key}\" is not in English"));
        }
    }
    if !problems.is_empty() {
        for p in &problems {
            println!("cargo::error=locales/{p}");
        }
        return Err(format!("{} problems in the catalogues", problems.len()).into());
    }

    // `interpolate_display`: texts with values also work where a string is needed
    // (attributes such as `aria-label`, messages made on the server).
    let mut cfg = Config::new(DEFAULT)?
        .locales_path(LOCALES_DIR)
        .parse_options(ParseOptions::new().interpolate_display(true));
    for locale in OTHERS {
        cfg = cfg.add_locale(locale)?;
    }
    let infos = TranslationsInfos::parse(cfg)?;
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    infos.generate_i18n_module(out.join("i18n"))?;
    Ok(())
}

/// Every key of a catalogue (plural forms such as `count_one` and `count_other` folded
/// into `count`, since languages have different plural forms) with the `{{ values }}`
/// its texts name.
fn keys_of(locale: &str) -> Result<BTreeMap<String, BTreeSet<String>>, Box<dyn Error>> {
    let mut keys = BTreeMap::new();
    flatten("", &read(locale)?, &mut keys);
    Ok(keys)
}

fn read(locale: &str) -> Result<Value, Box<dyn Error>> {
    let path = Path::new(LOCALES_DIR).join(format!("{locale}.json"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?)
}

/// The keys of a catalogue written as plural forms (`count_one`, `count_other`).
fn plural_forms(locale: &str) -> Result<Vec<String>, Box<dyn Error>> {
    let mut found = Vec::new();
    fn walk(prefix: &str, value: &Value, found: &mut Vec<String>) {
        if let Value::Object(map) = value {
            for (name, v) in map {
                let path = format!("{prefix}{name}");
                if base_key(name) != name {
                    found.push(path.clone());
                }
                walk(&format!("{path}."), v, found);
            }
        }
    }
    walk("", &read(locale)?, &mut found);
    Ok(found)
}

fn flatten(prefix: &str, value: &Value, keys: &mut BTreeMap<String, BTreeSet<String>>) {
    match value {
        Value::Object(map) => {
            for (name, v) in map {
                let name = base_key(name);
                let path = if prefix.is_empty() {
                    name.to_owned()
                } else {
                    format!("{prefix}.{name}")
                };
                flatten(&path, v, keys);
            }
        }
        Value::String(text) => {
            keys.entry(prefix.to_owned())
                .or_default()
                .extend(variables(text));
        }
        _ => {
            keys.entry(prefix.to_owned()).or_default();
        }
    }
}

fn base_key(name: &str) -> &str {
    const FORMS: [&str; 6] = ["_zero", "_one", "_two", "_few", "_many", "_other"];
    FORMS
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name)
}

/// The names in `{{ name }}`, excluding `count`, which plural texts may leave out
/// ("one transaction").
fn variables(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split("{{").skip(1).filter_map(|rest| {
        let name = rest.split("}}").next()?.trim();
        (name != "count").then(|| name.to_owned())
    })
}
