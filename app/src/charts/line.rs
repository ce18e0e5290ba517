//! A line chart of one series over days or hours, with the previous period's series
//! dashed behind it for comparison.

use super::frame::{self, Role, TITLE_BOTTOM};
use super::scale::Ticks;
use super::svg::{num, Svg, Tag};
use super::{
    label, Heading, BLUE, GRID, INK, MUTED, TEXT, TEXT_NARROW, VERMILLION, WHITE, WIDTH, ZERO_LINE,
};

/// One line: its name in the legend, and a value per point, from the first.
#[derive(Clone, Copy, Debug)]
pub struct Series<'a> {
    pub name: &'a str,
    pub values: &'a [i64],
}

/// A line chart. Points are evenly spaced, one per x label (the whole period: every day
/// of the month, every hour of the day); point `i` of both series is labelled
/// `x_labels[i]`. A series may be shorter (today's hours so far against all of
/// yesterday's) and then ends part of the way across.
///
/// ```ignore
/// let days = vec!["1 Mar".to_owned(), "2 Mar".to_owned(), "3 Mar".to_owned()];
/// let svg = LineChart {
///     heading: Heading { id_prefix: "volume", title: "Payment volume", description: None },
///     x_labels: &days,
///     current: Series { name: "This week", values: &[120_00, 95_50, 130_25] },
///     previous: Some(Series { name: "Last week", values: &[100_00, 80_00, 150_00] }),
///     format_value: &|minor| language.money(minor, "BRL"),
/// }
/// .to_svg();
/// ```
pub struct LineChart<'a> {
    pub heading: Heading<'a>,
    /// Each point's label, already formatted (dates and hours in the merchant's zone).
    /// Values past the last label still get points, without labels.
    pub x_labels: &'a [String],
    pub current: Series<'a>,
    /// The previous period, drawn dashed.
    pub previous: Option<Series<'a>>,
    /// A tick value as the axis shows it.
    pub format_value: &'a dyn Fn(i64) -> String,
}

const HEIGHT: f64 = 270.0;
/// The points run between these, inside the grid lines' full width.
const LEFT: f64 = 4.0;
const RIGHT: f64 = WIDTH - 4.0;
const BOTTOM: f64 = HEIGHT - 30.0;
/// Vertical room for a line of text at the narrow screens' size.
const LINE: f64 = 24.0;
/// The legend's sample of a line, and the gap to its name.
const SAMPLE: f64 = 24.0;
const GAP: f64 = 12.0;
const DASHES: &str = "6 4";
/// Points closer than this get no dots: the line alone reads better.
const MIN_DOT_SPACING: f64 = 24.0;

impl LineChart<'_> {
    pub fn to_svg(&self) -> String {
        let mut svg = Svg::default();
        frame::open(&mut svg, &self.heading, HEIGHT, Role::Img);

        let header_bottom = match &self.previous {
            Some(previous) => legend(
                &mut svg,
                &[
                    (&self.current, Period::Current),
                    (previous, Period::Previous),
                ],
            ),
            None => TITLE_BOTTOM,
        };
        let top = header_bottom + LINE;
        let values = self
            .current
            .values
            .iter()
            .chain(self.previous.iter().flat_map(|s| s.values));
        let (min, max) = values.fold((0, 0), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        // Each interval has room for its tick label above its line.
        let ticks = Ticks::new(min, max, ((BOTTOM - top) / (LINE + 2.0)).min(5.0) as u32);
        let y = |value: i64| ticks.position(value, BOTTOM, top);

        for &tick in &ticks.values {
            svg.tag("line")
                .attr("x1", "0")
                .attr("x2", num(WIDTH))
                .attr("y1", num(y(tick)))
                .attr("y2", num(y(tick)))
                .attr("stroke", if tick == 0 { ZERO_LINE } else { GRID })
                .empty();
        }

        let points = self
            .x_labels
            .len()
            .max(self.current.values.len())
            .max(self.previous.map_or(0, |s| s.values.len()));
        let spacing = if points > 1 {
            (RIGHT - LEFT) / (points - 1) as f64
        } else {
            f64::INFINITY
        };
        let x = |i: usize| {
            if points > 1 {
                LEFT + i as f64 * spacing
            } else {
                (LEFT + RIGHT) / 2.0
            }
        };
        self.x_labels(&mut svg, points, spacing, &x);

        let dots = spacing >= MIN_DOT_SPACING;
        if let Some(previous) = &self.previous {
            series(&mut svg, previous, Period::Previous, dots, &x, &y);
        }
        series(&mut svg, &self.current, Period::Current, dots, &x, &y);

        // Last, so that the lines pass beneath them; the white outline keeps them legible.
        for &tick in &ticks.values {
            svg.tag("text")
                .attr("x", "0")
                .attr("y", num(y(tick) - 5.0))
                .attr("font-size", num(TEXT))
                .attr("fill", MUTED)
                .attr("stroke", WHITE)
                .attr("stroke-width", "3")
                .attr("stroke-linejoin", "round")
                .attr("paint-order", "stroke")
                .text(&(self.format_value)(tick));
        }
        svg.close("svg");
        svg.finish()
    }

    /// Labels under every `stride`-th point, as many as fit without overlapping; on
    /// narrow screens the larger text leaves room for only every `narrow_stride`-th (the
    /// others are marked `chart-tick-extra`).
    fn x_labels(&self, svg: &mut Svg, points: usize, spacing: f64, x: &dyn Fn(usize) -> f64) {
        let labels = &self.x_labels[..self.x_labels.len().min(points)];
        let widest = |size| {
            labels
                .iter()
                .map(|l| label::width(l, size))
                .fold(0.0, f64::max)
        };
        // A label at the edge is aligned to it rather than centred, so neighbours need
        // one and a half widths between their points.
        let stride_for = |size, base: usize| {
            let needed = 1.5 * widest(size) + GAP;
            (1..points)
                .map(|k| k * base)
                .find(|&k| spacing * k as f64 >= needed)
                .unwrap_or(points.max(1))
        };
        let stride = stride_for(TEXT, 1);
        let narrow_stride = stride_for(TEXT_NARROW, stride);
        for (i, text) in labels.iter().enumerate().step_by(stride) {
            let half = label::width(text, TEXT_NARROW) / 2.0;
            let anchor = if x(i) - half < 0.0 {
                "start"
            } else if x(i) + half > WIDTH {
                "end"
            } else {
                "middle"
            };
            svg.tag("text")
                .attr_opt(
                    "class",
                    (i % narrow_stride != 0).then_some("chart-tick-extra"),
                )
                .attr("x", num(x(i)))
                .attr("y", num(BOTTOM + 20.0))
                .attr("font-size", num(TEXT))
                .attr("fill", MUTED)
                .attr("text-anchor", anchor)
                .text(text);
        }
    }
}

/// The legend of both series, wrapped onto a second line when the names are long;
/// returns the bottom of the legend.
fn legend(svg: &mut Svg, entries: &[(&Series, Period)]) -> f64 {
    let mut x = 0.0;
    let mut baseline = TITLE_BOTTOM + 16.0;
    for &(series, period) in entries {
        let shown = label::fit(series.name, WIDTH - SAMPLE - 6.0, TEXT_NARROW);
        let width = SAMPLE + 6.0 + label::width(&shown, TEXT_NARROW);
        if x > 0.0 && x + width > WIDTH {
            x = 0.0;
            baseline += LINE;
        }
        period
            .stroke(svg.tag("line"))
            .attr("x1", num(x))
            .attr("x2", num(x + SAMPLE))
            .attr("y1", num(baseline - 5.0))
            .attr("y2", num(baseline - 5.0))
            .empty();
        svg.tag("text")
            .attr("x", num(x + SAMPLE + 6.0))
            .attr("y", num(baseline))
            .attr("font-size", num(TEXT))
            .attr("fill", INK)
            .text(&shown);
        x += width + GAP;
    }
    baseline + 8.0
}

/// Which period a series shows, and so how it is drawn: the current period solid blue
/// with filled dots, the previous dashed vermillion with hollow dots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Period {
    Current,
    Previous,
}

impl Period {
    fn class(self) -> &'static str {
        match self {
            Period::Current => "chart-current",
            Period::Previous => "chart-previous",
        }
    }

    fn colour(self) -> &'static str {
        match self {
            Period::Current => BLUE,
            Period::Previous => VERMILLION,
        }
    }

    fn stroke(self, tag: Tag) -> Tag {
        tag.attr("class", self.class())
            .attr("stroke", self.colour())
            .attr("stroke-width", "2")
            .attr_opt(
                "stroke-dasharray",
                (self == Period::Previous).then_some(DASHES),
            )
    }

    fn dot_fill(self) -> &'static str {
        match self {
            Period::Current => BLUE,
            Period::Previous => WHITE,
        }
    }
}

/// One series: its line, and a dot on each point when they are far enough apart (always
/// for a single point, which has no line).
fn series(
    svg: &mut Svg,
    series: &Series,
    period: Period,
    dots: bool,
    x: &dyn Fn(usize) -> f64,
    y: &dyn Fn(i64) -> f64,
) {
    if series.values.len() > 1 {
        let points: Vec<String> = series
            .values
            .iter()
            .enumerate()
            .map(|(i, &v)| format!("{},{}", num(x(i)), num(y(v))))
            .collect();
        period
            .stroke(svg.tag("polyline"))
            .attr("points", points.join(" "))
            .attr("fill", "none")
            .attr("stroke-linejoin", "round")
            .empty();
    }
    if dots || series.values.len() == 1 {
        for (i, &v) in series.values.iter().enumerate() {
            svg.tag("circle")
                .attr("class", period.class())
                .attr("cx", num(x(i)))
                .attr("cy", num(y(v)))
                .attr("r", "3")
                .attr("fill", period.dot_fill())
                .attr("stroke", period.colour())
                .attr("stroke-width", "1.5")
                .empty();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::checks::{texts, well_formed, with_class};
    use super::*;

    fn plain(value: i64) -> String {
        value.to_string()
    }

    fn chart<'a>(
        labels: &'a [String],
        current: &'a [i64],
        previous: Option<&'a [i64]>,
    ) -> LineChart<'a> {
        LineChart {
            heading: Heading {
                id_prefix: "volume",
                title: "Payment volume",
                description: Some("Per day"),
            },
            x_labels: labels,
            current: Series {
                name: "This month",
                values: current,
            },
            previous: previous.map(|values| Series {
                name: "Last month",
                values,
            }),
            format_value: &plain,
        }
    }

    fn days(n: usize) -> Vec<String> {
        (1..=n).map(|d| format!("{d} Mar")).collect()
    }

    #[test]
    fn it_is_an_image_named_by_its_title_and_sized_by_its_container() {
        let labels = days(3);
        let svg = chart(&labels, &[1, 2, 3], None).to_svg();
        let document = well_formed(&svg, "volume");
        let root = document.root_element();
        assert_eq!(root.attribute("role"), Some("img"));
        assert_eq!(root.attribute("aria-labelledby"), Some("volume-title"));
        assert_eq!(root.attribute("aria-describedby"), Some("volume-desc"));
        assert_eq!(root.attribute("viewBox"), Some("0 0 480 270"));
        assert_eq!(root.attribute("preserveAspectRatio"), Some("xMidYMid meet"));
        let title = document
            .descendants()
            .find(|n| n.has_tag_name("title"))
            .unwrap();
        assert_eq!(
            (title.attribute("id"), title.text()),
            (Some("volume-title"), Some("Payment volume"))
        );
        let desc = document
            .descendants()
            .find(|n| n.has_tag_name("desc"))
            .unwrap();
        assert_eq!(
            (desc.attribute("id"), desc.text()),
            (Some("volume-desc"), Some("Per day"))
        );
        assert!(!svg.contains("style="));
    }

    #[test]
    fn the_previous_period_is_dashed_in_another_colour_and_named_in_the_legend() {
        let labels = days(3);
        let svg = chart(&labels, &[10, 20, 30], Some(&[5, 25, 15])).to_svg();
        let document = well_formed(&svg, "volume");
        let line = |class| {
            let lines = with_class(&document, class);
            *lines.iter().find(|n| n.has_tag_name("polyline")).unwrap()
        };
        let (current, previous) = (line("chart-current"), line("chart-previous"));
        assert_eq!(current.attribute("stroke-dasharray"), None);
        assert_eq!(previous.attribute("stroke-dasharray"), Some(DASHES));
        assert_ne!(current.attribute("stroke"), previous.attribute("stroke"));
        // The legend's samples are drawn as the lines are.
        let samples: Vec<_> = document
            .descendants()
            .filter(|n| n.has_tag_name("line") && n.has_attribute("class"))
            .collect();
        assert_eq!(samples.len(), 2);
        assert_eq!(samples[1].attribute("stroke-dasharray"), Some(DASHES));
        let texts = texts(&document);
        assert!(
            texts.contains(&"This month".to_owned()) && texts.contains(&"Last month".to_owned())
        );
        // Drawn beneath the current period.
        assert!(
            svg.find("<polyline class=\"chart-previous\"").unwrap()
                < svg.find("<polyline class=\"chart-current\"").unwrap()
        );
    }

    #[test]
    fn ticks_are_round_include_zero_and_are_formatted_by_the_caller() {
        let labels = days(3);
        let basis_points = |v: i64| format!("{}.{:02}%", v / 100, v % 100);
        let svg = LineChart {
            format_value: &basis_points,
            ..chart(&labels, &[120, 250, 180], None)
        }
        .to_svg();
        let texts = texts(&well_formed(&svg, "volume"));
        for tick in ["0.00%", "0.50%", "1.00%", "1.50%", "2.00%", "2.50%"] {
            assert!(texts.contains(&tick.to_owned()), "{tick} in {texts:?}");
        }
    }

    #[test]
    fn negative_values_lie_below_the_zero_line() {
        let labels = days(2);
        let svg = chart(&labels, &[-400, 900], None).to_svg();
        let document = well_formed(&svg, "volume");
        let zero = document
            .descendants()
            .find(|n| n.attribute("stroke") == Some(ZERO_LINE))
            .unwrap();
        let zero_y: f64 = zero.attribute("y1").unwrap().parse().unwrap();
        let dots: Vec<f64> = with_class(&document, "chart-current")
            .iter()
            .filter_map(|n| n.attribute("cy"))
            .map(|y| y.parse().unwrap())
            .collect();
        assert!(
            dots[0] > zero_y && dots[1] < zero_y,
            "{dots:?} around {zero_y}"
        );
        assert!(texts(&document).contains(&"-500".to_owned()));
    }

    #[test]
    fn edge_cases_give_valid_svg_without_nan_or_infinity() {
        let one = days(1);
        let many = days(400);
        type Case<'a> = (&'a [String], &'a [i64], Option<&'a [i64]>);
        let cases: [Case; 9] = [
            (&[], &[], None),
            (&[], &[], Some(&[])),
            (&many, &[0; 31], Some(&[0; 31])),
            (&one, &[42], None),
            (&one, &[42], Some(&[7])),
            (
                &many,
                &[9_000_000_000_000_000, 8_999_999_999_999_999],
                Some(&[1]),
            ),
            (&many, &[i64::MIN, i64::MAX, 0], Some(&[i64::MAX])),
            (&many, &[-5, -7, -1], None),
            (&one, &[1, 2, 3], Some(&[1, 2, 3, 4, 5, 6, 7])),
        ];
        for (labels, current, previous) in cases {
            let svg = chart(labels, current, previous).to_svg();
            well_formed(&svg, "volume");
        }
    }

    #[test]
    fn a_single_point_is_a_dot_for_each_period() {
        let labels = days(1);
        let svg = chart(&labels, &[42], Some(&[40])).to_svg();
        let document = well_formed(&svg, "volume");
        assert!(!svg.contains("<polyline"));
        let dots = document.descendants().filter(|n| n.has_tag_name("circle"));
        let fills: Vec<_> = dots.map(|n| n.attribute("fill").unwrap()).collect();
        assert_eq!(fills, [WHITE, BLUE]);
    }

    #[test]
    fn a_series_shorter_than_the_period_ends_part_of_the_way_across() {
        let hours: Vec<String> = (0..24).map(|h| format!("{h:02}:00")).collect();
        let svg = chart(&hours, &[3, 1, 4, 1, 5, 9], Some(&[2; 24])).to_svg();
        let document = well_formed(&svg, "volume");
        let last_x = |class| {
            let line = with_class(&document, class)
                .into_iter()
                .find(|n| n.has_tag_name("polyline"))
                .unwrap();
            let last = line
                .attribute("points")
                .unwrap()
                .split(' ')
                .next_back()
                .unwrap()
                .to_owned();
            last.split(',').next().unwrap().parse::<f64>().unwrap()
        };
        assert_eq!(last_x("chart-previous"), RIGHT);
        assert_eq!(
            last_x("chart-current"),
            num(LEFT + 5.0 * (RIGHT - LEFT) / 23.0)
                .parse::<f64>()
                .unwrap()
        );
    }

    #[test]
    fn many_points_get_fewer_labels_and_fewer_still_on_narrow_screens() {
        let labels = days(31);
        let svg = chart(&labels, &[1; 31], None).to_svg();
        let document = well_formed(&svg, "volume");
        let labels: Vec<_> = document
            .descendants()
            .filter(|n| n.has_tag_name("text") && n.text().is_some_and(|t| t.ends_with(" Mar")))
            .collect();
        let narrow = labels
            .iter()
            .filter(|n| n.attribute("class").is_none())
            .count();
        assert!(labels.len() < 31 && labels.len() >= 4, "{}", labels.len());
        assert!(narrow < labels.len() && narrow >= 2, "{narrow}");
        assert_eq!(labels[0].text(), Some("1 Mar"));
        // Neighbours are far enough apart for the larger text.
        let xs: Vec<f64> = labels
            .iter()
            .filter(|n| n.attribute("class").is_none())
            .map(|n| n.attribute("x").unwrap().parse().unwrap())
            .collect();
        let widest = label::width("31 Mar", TEXT_NARROW);
        assert!(xs.windows(2).all(|w| w[1] - w[0] >= 1.5 * widest), "{xs:?}");
        // The first label starts at its point rather than spilling over the edge.
        assert_eq!(labels[0].attribute("text-anchor"), Some("start"));
    }

    #[test]
    fn every_text_is_escaped_and_cleaned() {
        let labels = vec!["<b>1</b> & \"2\"".to_owned(), "3\u{0}月".to_owned()];
        let evil = |_: i64| "<script>alert(1)</script>".to_owned();
        let svg = LineChart {
            heading: Heading {
                id_prefix: "x",
                title: "Volume <script>",
                description: Some("a & b\u{7}"),
            },
            x_labels: &labels,
            current: Series {
                name: "Devolução 🎁 \"now\"",
                values: &[1, 2],
            },
            previous: Some(Series {
                name: "上期 <i>",
                values: &[2, 1],
            }),
            format_value: &evil,
        }
        .to_svg();
        assert!(
            !svg.contains("<script")
                && !svg.contains("<b>")
                && !svg.contains("<i>")
                && !svg.contains('\u{0}')
        );
        let document = well_formed(&svg, "x");
        let texts = texts(&document);
        for expected in [
            "Volume <script>",
            "<b>1</b> & \"2\"",
            "3月",
            "Devolução 🎁 \"now\"",
            "上期 <i>",
            "<script>alert(1)</script>",
        ] {
            assert!(
                texts.contains(&expected.to_owned()),
                "{expected} in {texts:?}"
            );
        }
        let desc = document
            .descendants()
            .find(|n| n.has_tag_name("desc"))
            .unwrap();
        assert_eq!(desc.text(), Some("a & b"));
    }
}
