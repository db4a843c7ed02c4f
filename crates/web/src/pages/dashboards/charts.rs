//! Server-rendered SVG charts — bar, line, stacked bar and funnel — each with a title, a
//! description and the data table it was drawn from, so a screen reader (and a CSV download)
//! gets exactly what the eye gets. No script is needed to see a chart.

use std::fmt::Write as _;

/// Chart size in SVG user units; the SVG scales to its container's width.
const W: f64 = 640.0;
const H: f64 = 240.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 36.0;
const TOP: f64 = 12.0;
/// Series colours, distinguishable for the common colour-vision deficiencies (Okabe–Ito).
const COLOURS: [&str; 6] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"];

/// What kind of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One bar per label, first series.
    Bar,
    /// One line per series.
    Line,
    /// Bars stacked from every series.
    Stacked,
    /// Centred bars narrowing step by step, first series.
    Funnel,
}

/// A chart and the table behind it.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Element id and CSV name (`activity`, `reps`, …).
    pub id: &'static str,
    /// Title shown above it.
    pub title: String,
    /// Kind.
    pub kind: Kind,
    /// X labels (days, reps, steps).
    pub labels: Vec<String>,
    /// Named series of values, one value per label.
    pub series: Vec<(String, Vec<f64>)>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

impl Chart {
    /// The table header: the label column then one column per series.
    pub fn columns(&self) -> Vec<String> {
        let first = match self.kind {
            Kind::Funnel => "Step",
            _ => "Label",
        };
        std::iter::once(first.to_owned())
            .chain(self.series.iter().map(|(n, _)| n.clone()))
            .collect()
    }

    /// The table rows, values formatted.
    pub fn rows(&self) -> Vec<Vec<String>> {
        self.labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                std::iter::once(l.clone())
                    .chain(
                        self.series
                            .iter()
                            .map(|(_, v)| fmt_num(v.get(i).copied().unwrap_or(0.0))),
                    )
                    .collect()
            })
            .collect()
    }

    /// The data as CSV (RFC 4180 quoting via the csv crate).
    pub fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(self.columns());
        for r in self.rows() {
            let _ = w.write_record(r);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    fn max(&self) -> f64 {
        let m = match self.kind {
            Kind::Stacked => (0..self.labels.len())
                .map(|i| {
                    self.series
                        .iter()
                        .map(|(_, v)| v.get(i).copied().unwrap_or(0.0))
                        .sum::<f64>()
                })
                .fold(0.0, f64::max),
            _ => self
                .series
                .iter()
                .flat_map(|(_, v)| v.iter().copied())
                .fold(0.0, f64::max),
        };
        if m <= 0.0 { 1.0 } else { nice(m) }
    }

    /// The SVG markup (`role="img"`, titled and described; the table follows it on the page).
    pub fn svg(&self) -> String {
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-t {id}-d" preserveAspectRatio="xMidYMid meet" data-kind="{kind:?}"><title id="{id}-t">{t}</title><desc id="{id}-d">{d}</desc>"#,
            id = self.id,
            kind = self.kind,
            t = esc(&self.title),
            d = esc(&format!(
                "{} values; the data table below has every number.",
                self.labels.len()
            )),
        );
        if self.labels.is_empty() {
            let _ = write!(
                s,
                r#"<text x="{}" y="{}" text-anchor="middle" class="empty">No data for these filters</text></svg>"#,
                W / 2.0,
                H / 2.0
            );
            return s;
        }
        match self.kind {
            Kind::Funnel => self.funnel(&mut s),
            _ => {
                self.axes(&mut s);
                match self.kind {
                    Kind::Line => self.lines(&mut s),
                    Kind::Stacked => self.bars(&mut s, true),
                    _ => self.bars(&mut s, false),
                }
            }
        }
        if self.series.len() > 1 {
            for (i, (name, _)) in self.series.iter().enumerate() {
                let x = LEFT + i as f64 * 110.0;
                let _ = write!(
                    s,
                    r#"<rect x="{x}" y="{y}" width="10" height="10" fill="{c}"/><text x="{tx}" y="{ty}" class="legend">{n}</text>"#,
                    y = H - 12.0,
                    c = COLOURS[i % COLOURS.len()],
                    tx = x + 14.0,
                    ty = H - 3.0,
                    n = esc(name)
                );
            }
        }
        s.push_str("</svg>");
        s
    }

    fn plot_height(&self) -> f64 {
        H - TOP - BOTTOM - if self.series.len() > 1 { 10.0 } else { 0.0 }
    }

    fn axes(&self, s: &mut String) {
        let max = self.max();
        let ph = self.plot_height();
        for step in 0..=4 {
            let v = max * f64::from(step) / 4.0;
            let y = TOP + ph - ph * f64::from(step) / 4.0;
            let _ = write!(
                s,
                r##"<line x1="{LEFT}" x2="{W}" y1="{y:.1}" y2="{y:.1}" stroke="#e3e6ec"/><text x="{x}" y="{ty:.1}" text-anchor="end" class="tick">{v}</text>"##,
                x = LEFT - 4.0,
                ty = y + 4.0,
                v = fmt_num(v)
            );
        }
        let n = self.labels.len();
        let every = n.div_ceil(12).max(1);
        let bw = (W - LEFT) / n as f64;
        for (i, l) in self.labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
            let _ = write!(
                s,
                r#"<text x="{x:.1}" y="{y}" text-anchor="middle" class="tick">{l}</text>"#,
                x = LEFT + bw * (i as f64 + 0.5),
                y = TOP + ph + 14.0,
                l = esc(&short(l))
            );
        }
    }

    fn bars(&self, s: &mut String, stacked: bool) {
        let max = self.max();
        let ph = self.plot_height();
        let n = self.labels.len();
        let bw = (W - LEFT) / n as f64;
        let series: &[(String, Vec<f64>)] = if stacked {
            &self.series
        } else {
            &self.series[..1.min(self.series.len())]
        };
        for i in 0..n {
            let mut base = 0.0;
            for (k, (name, values)) in series.iter().enumerate() {
                let v = values.get(i).copied().unwrap_or(0.0);
                let h = ph * v / max;
                let y = TOP + ph - ph * base / max - h;
                let _ = write!(
                    s,
                    r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{c}"><title>{l}: {n} {v}</title></rect>"#,
                    x = LEFT + bw * i as f64 + bw * 0.15,
                    w = bw * 0.7,
                    c = COLOURS[k % COLOURS.len()],
                    l = esc(&self.labels[i]),
                    n = esc(name),
                    v = fmt_num(v)
                );
                base += v;
            }
        }
    }

    fn lines(&self, s: &mut String) {
        let max = self.max();
        let ph = self.plot_height();
        let n = self.labels.len();
        let bw = (W - LEFT) / n as f64;
        for (k, (_, values)) in self.series.iter().enumerate() {
            let points: Vec<String> = (0..n)
                .map(|i| {
                    let v = values.get(i).copied().unwrap_or(0.0);
                    format!(
                        "{:.1},{:.1}",
                        LEFT + bw * (i as f64 + 0.5),
                        TOP + ph - ph * v / max
                    )
                })
                .collect();
            let _ = write!(
                s,
                r#"<polyline fill="none" stroke="{c}" stroke-width="2" points="{p}"/>"#,
                c = COLOURS[k % COLOURS.len()],
                p = points.join(" ")
            );
        }
    }

    fn funnel(&self, s: &mut String) {
        let Some((_, values)) = self.series.first() else {
            return;
        };
        let max = self.max();
        let n = self.labels.len();
        let row = (H - TOP * 2.0) / n as f64;
        let width = W - 2.0 * LEFT - 120.0;
        for (i, l) in self.labels.iter().enumerate() {
            let v = values.get(i).copied().unwrap_or(0.0);
            let w = (width * v / max).max(2.0);
            let x = LEFT + 100.0 + (width - w) / 2.0;
            let y = TOP + row * i as f64;
            let _ = write!(
                s,
                r#"<text x="{lx}" y="{ty:.1}" class="tick">{l}</text><rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{c}"><title>{l}: {v}</title></rect><text x="{vx:.1}" y="{ty:.1}" class="tick">{v}</text>"#,
                lx = LEFT - 40.0,
                ty = y + row * 0.6,
                l = esc(l),
                h = row * 0.75,
                c = COLOURS[0],
                vx = x + w + 6.0,
                v = fmt_num(v)
            );
        }
    }
}

/// A round axis maximum at or above `m` (1, 2 or 5 times a power of ten).
fn nice(m: f64) -> f64 {
    let p = 10f64.powf(m.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|f| f * p)
        .find(|v| *v >= m)
        .unwrap_or(m)
}

/// Dates shortened to `MM-DD` on the axis (the table keeps the full date); names to 12 chars.
fn short(label: &str) -> String {
    if label.len() == 10 && label.as_bytes().get(4) == Some(&b'-') {
        label[5..].to_owned()
    } else {
        label.chars().take(12).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(kind: Kind) -> Chart {
        Chart {
            id: "c",
            title: "Calls & <connects>".into(),
            kind,
            labels: vec!["2026-11-02".into(), "2026-11-03".into()],
            series: vec![
                ("Calls".into(), vec![3.0, 7.0]),
                ("Connects".into(), vec![1.0, 2.0]),
            ],
        }
    }

    #[test]
    fn a_chart_is_titled_escaped_and_draws_one_bar_per_value() {
        let svg = chart(Kind::Stacked).svg();
        assert!(svg.contains("<title id=\"c-t\">Calls &amp; &lt;connects&gt;</title>"));
        assert_eq!(svg.matches("<rect x=").count(), 4 + 2, "4 bars and 2 legend keys");
        assert!(chart(Kind::Line).svg().contains("<polyline"));
    }

    #[test]
    fn the_csv_has_the_same_numbers_as_the_table() {
        let c = chart(Kind::Bar);
        assert_eq!(c.csv(), "Label,Calls,Connects\n2026-11-02,3,1\n2026-11-03,7,2\n");
        assert_eq!(nice(7.0), 10.0);
        assert_eq!(nice(120.0), 200.0);
    }
}
