//! The frontier chart: mean hedging cost against P&L std, one line per
//! policy through its Pareto frontier, both as % of the premium on log axes
//! (cost ~ 1/std is close to a straight line there, so the gaps between
//! policies read as constant cost ratios).
use hedge_lab::SweepReport;
use plotters::prelude::*;
use std::path::Path;

pub fn write_svg(r: &SweepReport, path: &Path) -> anyhow::Result<()> {
    let premium = r.book.premium;
    let lines: Vec<(&str, Vec<(f64, f64)>)> = r
        .policies
        .iter()
        .map(|p| {
            let pts = p
                .frontier
                .iter()
                .map(|&i| (100.0 * p.points[i].std_pnl / premium, 100.0 * p.points[i].mean_cost / premium))
                // log axes: a zero cost (a free venue) cannot be drawn
                .filter(|&(x, y)| x > 0.0 && y > 0.0)
                .collect();
            (p.name, pts)
        })
        .collect();
    let all = lines.iter().flat_map(|(_, p)| p.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, 0.0f64, f64::INFINITY, 0.0f64);
    for &(x, y) in all {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if x0 >= x1 || y0 >= y1 {
        // nothing to draw on log axes (e.g. zero costs everywhere): a fixed frame
        (x0, x1, y0, y1) = (1.0, 100.0, 0.01, 100.0);
    }
    let (x0, x1, y0, y1) = (x0 / 1.15, x1 * 1.15, y0 / 1.15, y1 * 1.15);

    let root = SVGBackend::new(path, (960, 620)).into_drawing_area();
    root.fill(&WHITE)?;
    let kind = match r.book.kind {
        hedge_lab::BookKind::Straddle => "ATM straddles",
        hedge_lab::BookKind::Strangle25 => "25-delta strangles",
        hedge_lab::BookKind::Legs => "options over several expiries",
    };
    let mut costs = format!("{} bps fee", r.costs.fee_bps);
    if r.costs.fixed_per_trade > 0.0 {
        costs += &format!(" + {} per trade", r.costs.fixed_per_trade);
    }
    if r.costs.venue_tvl > 0.0 {
        costs += &format!(" + impact (venue {:.3e})", r.costs.venue_tvl);
    }
    let caption = format!(
        "Hedging cost vs risk: short {} {kind}, {} days, {costs}, {} paths, seed {}",
        r.book.contracts, r.book.expiry_days, r.paths, r.seed
    );
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 20))
        .margin(18)
        .x_label_area_size(50)
        .y_label_area_size(64)
        .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("P&L standard deviation, % of premium")
        .y_desc("mean hedging cost, % of premium")
        .x_labels(12)
        .y_labels(12)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.2}"))
        .light_line_style(BLACK.mix(0.03))
        .draw()?;
    for m in &r.matched {
        let x = 100.0 * m.std_level;
        if x > x0 && x < x1 {
            // the matched-std levels the table compares at
            chart.draw_series(LineSeries::new([(x, y0), (x, y1)], BLUE.mix(0.25)))?;
        }
    }
    for (i, (name, pts)) in lines.into_iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(pts, color.stroke_width(2)))?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()?;
    root.present()?;
    Ok(())
}
