import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Page } from '@playwright/test';

// The dashboard's catalogues (locales/*.json), read by the browser tests so that they find
// elements by their translated names, as a person reading that language would, and can
// tell when a page shows English or a raw key where a translation belongs.

export type Lang = 'en' | 'zh-CN' | 'pt-BR';
type Tree = { [key: string]: string | Tree };

const trees = new Map<Lang, Tree>();
function tree(lang: Lang): Tree {
  let t = trees.get(lang);
  if (!t) {
    const file = path.join(__dirname, '..', '..', 'locales', `${lang}.json`);
    t = JSON.parse(readFileSync(file, 'utf8')) as Tree;
    trees.set(lang, t);
  }
  return t;
}

/** Every text of a catalogue by its dotted key (`shell.sign_out`). */
export function flatten(lang: Lang): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (node: Tree, prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (typeof v === 'string') out.set(key, v);
      else walk(v, key);
    }
  };
  walk(tree(lang), '');
  return out;
}

/** The text of `key` in `lang` with its `{{ values }}` filled in; for plural keys give
 * `count` and the form is chosen as the dashboard chooses it (Chinese has one form). */
export function t(lang: Lang, key: string, values: Record<string, string | number> = {}): string {
  const all = flatten(lang);
  let text = all.get(key);
  if (text === undefined && 'count' in values) {
    const form = new Intl.PluralRules(lang).select(Number(values.count));
    text = all.get(`${key}_${form}`) ?? all.get(`${key}_other`);
  }
  if (text === undefined) throw new Error(`no ${key} in locales/${lang}.json`);
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(values[name] ?? `{{ ${name} }}`));
}

// Words that are the same in every language of the dashboard (names of products and
// standards); a page in Chinese or Portuguese may show them.
const SHARED = new Set(['Paydesk', 'UTC', 'CSV', 'XLSX', 'PDF', 'API', 'ID', 'IDs', 'Pix', 'Alipay', 'GCash', 'OK']);

/** The English phrases a page in `lang` must not show: the parts of every English text
 * that `lang` translates differently, split at their `{{ values }}`. */
export function englishPhrases(lang: Lang): string[] {
  const english = flatten('en');
  const theirs = flatten(lang);
  // What the language itself writes somewhere, whole texts and single words ("Status"
  // and "download" are Portuguese too): such a phrase on the page may be its own text.
  const own = new Set<string>();
  for (const text of theirs.values()) {
    for (const part of text.split(/\{\{[^}]*\}\}/)) own.add(part.replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, ''));
    for (const word of text.split(/[^\p{L}]+/u)) own.add(word);
  }
  const phrases = new Set<string>();
  for (const [key, text] of english) {
    const base = key.replace(/_(zero|one|two|few|many|other)$/, '');
    const translated = theirs.get(key) ?? theirs.get(`${base}_other`);
    if (translated === undefined || translated === text) continue;
    for (const part of text.split(/\{\{[^}]*\}\}/)) {
      const phrase = part.replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, '');
      // Phrases with at least one real word, not shared by the translation itself. A
      // lone lowercase word cut out of a sentence by its values ("transactions" of
      // "{{ n }} transactions") is left out: it is as likely a part of a file name.
      if (!/[A-Za-z]{3,}/.test(phrase) || SHARED.has(phrase) || translated.includes(phrase) || own.has(phrase)) continue;
      if (/^[a-z]+$/.test(phrase) && text !== phrase) continue;
      phrases.add(phrase);
    }
  }
  return [...phrases];
}

/** All a person can read or hear on the page: its text, and the names, titles and
 * placeholders that screen readers and tooltips give. */
export async function readableText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const parts = [document.title, document.body.innerText];
    for (const el of Array.from(document.querySelectorAll('[aria-label],[title],[placeholder],[alt]'))) {
      for (const attr of ['aria-label', 'title', 'placeholder', 'alt']) {
        const v = el.getAttribute(attr);
        if (v) parts.push(v);
      }
    }
    for (const opt of Array.from(document.querySelectorAll('option'))) parts.push(opt.textContent ?? '');
    return parts.join('\n');
  });
}

/** What on the page is still English, or a catalogue key shown instead of its text.
 * `data` is what the page shows of the merchant's own records (people's names such as
 * "Yuki Viewer"), which is left out of the check. */
export async function untranslated(page: Page, lang: Lang, data: string[] = []): Promise<string[]> {
  let text = await readableText(page);
  for (const d of data) text = text.split(d).join(' ');
  const found: string[] = [];
  for (const phrase of englishPhrases(lang)) {
    const escaped = phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (new RegExp(`(^|[^A-Za-z])${escaped}([^A-Za-z]|$)`).test(text)) found.push(phrase);
  }
  for (const key of flatten('en').keys()) {
    if (text.includes(key) && key.includes('.')) found.push(`key ${key}`);
  }
  return found;
}
