//! One step of the backward induction: V at a spot node (its band and the
//! slope outside it) and W = quad (h - target)^2 + E[V_(k+1)] on a window of
//! the hedge grid, from which a node's band is read.
use super::PAD;

/// V at one node: its values on the band [lo, lo + len) and the slope per
/// hedge cell outside it (the cost of trading to the band's nearest edge).
#[derive(Clone, Debug, Default)]
pub(super) struct Node {
    pub(super) lo: usize,
    pub(super) slope: f64,
    pub(super) vals: Vec<f64>,
}

impl Node {
    pub(super) fn hi(&self) -> usize {
        self.lo + self.vals.len() - 1
    }

    /// out[m] += p V(a + m); `ramp` is 0, 1, 2, ... (f64), at least as long as out.
    pub(super) fn add_into(&self, p: f64, a: usize, out: &mut [f64], ramp: &[f64]) {
        let end = a + out.len();
        let (lo, hi) = (self.lo, self.hi());
        let p_slope = p * self.slope;
        // below the band: V(a + m) = V(lo) + (lo - a - m) slope
        let below_end = lo.clamp(a, end);
        if below_end > a {
            let base = p * self.vals[0] + (lo - a) as f64 * p_slope;
            for (o, &r) in out[..below_end - a].iter_mut().zip(ramp) {
                *o += base - r * p_slope;
            }
        }
        let above = (hi + 1).clamp(a, end);
        if above > below_end {
            let src = &self.vals[below_end - lo..above - lo];
            for (o, v) in out[below_end - a..above - a].iter_mut().zip(src) {
                *o += p * v;
            }
        }
        // above the band: V(above + m) = V(hi) + (above - hi + m) slope
        if end > above {
            let base = p * self.vals[self.vals.len() - 1] + (above - hi) as f64 * p_slope;
            for (o, &r) in out[above - a..].iter_mut().zip(ramp) {
                *o += base + r * p_slope;
            }
        }
    }

    /// V at a fractional hedge-grid coordinate x (linear between cells).
    pub(super) fn at(&self, x: f64) -> f64 {
        let (lo, hi) = (self.lo as f64, self.hi() as f64);
        if x <= lo {
            self.vals[0] + (lo - x) * self.slope
        } else if x >= hi {
            self.vals[self.vals.len() - 1] + (x - hi) * self.slope
        } else {
            let i = (x - lo).floor() as usize;
            let w = x - lo - i as f64;
            self.vals[i] * (1.0 - w) + self.vals[(i + 1).min(self.vals.len() - 1)] * w
        }
    }
}

/// What every node of one step shares: V at the next step and the grids.
pub(super) struct Stage<'a> {
    /// V_(k+1) at every spot node.
    pub(super) next: &'a [Node],
    /// m: the stencil spans nodes j - m..=j + m.
    pub(super) reach: usize,
    pub(super) probs: &'a [f64],
    pub(super) h_min: f64,
    pub(super) dh: f64,
    pub(super) cells: usize,
    /// 0, 1, 2, ... as f64, one per hedge cell.
    pub(super) ramp: &'a [f64],
}

impl Stage<'_> {
    /// Stencil node d (0..=2m) of node jj; the lattice's end nodes take the
    /// moves past them.
    pub(super) fn nb(&self, jj: usize, d: usize) -> &Node {
        &self.next[(jj + d).saturating_sub(self.reach).min(self.next.len() - 1)]
    }

    /// The first window to try: the band lies within the stencil nodes'
    /// bands and the target (below all of them W's slope is below -slope,
    /// above them above +slope, up to the lattice's O(dt^2) error in
    /// E[S']); `node_band` widens it if that fails.
    pub(super) fn window(&self, jj: usize, tgt: f64) -> (usize, usize) {
        let i_t = ((tgt - self.h_min) / self.dh + 0.5).clamp(0.0, (self.cells - 1) as f64) as usize;
        let stencil = 0..self.probs.len();
        let lo = stencil.clone().map(|d| self.nb(jj, d).lo).min().unwrap_or(0).min(i_t);
        let hi = stencil.map(|d| self.nb(jj, d).hi()).max().unwrap_or(0).max(i_t);
        (lo.saturating_sub(PAD), (hi + PAD).min(self.cells - 1))
    }

    /// Node jj: W = quad (h - tgt)^2 + E[V_(k+1)] on a window starting at
    /// `window`, the band where W's slope per cell is within +-slope, and V
    /// (= W on the band) into `node`. Returns (cells evaluated, lo, hi), lo
    /// and hi hedge-grid indices.
    pub(super) fn node_band(
        &self,
        node: &mut Node,
        jj: usize,
        tgt: f64,
        slope: f64,
        quad: f64,
        window: (usize, usize),
    ) -> (u64, usize, usize) {
        let (mut a, mut b) = window;
        let mut done = 0u64;
        loop {
            let w = &mut node.vals;
            let e0 = self.h_min + a as f64 * self.dh - tgt;
            w.clear();
            w.extend(self.ramp[..=b - a].iter().map(|&r| {
                let e = e0 + r * self.dh;
                quad * e * e
            }));
            for (d, &p) in self.probs.iter().enumerate() {
                self.nb(jj, d).add_into(p, a, w, self.ramp);
            }
            done += w.len() as u64;
            // W is convex: the band starts where the slope per cell rises
            // above -slope and ends where it exceeds +slope.
            let last = w.len() - 1;
            let lo = w.windows(2).position(|d| d[0] - d[1] <= slope).unwrap_or(last);
            let hi = w[lo..].windows(2).position(|d| d[1] - d[0] > slope).map_or(last, |i| lo + i);
            // Both edges must be seen strictly inside the window (or be the grid's).
            let left_ok = a == 0 || lo > 0;
            let right_ok = b == self.cells - 1 || hi < last;
            if left_ok && right_ok {
                w.copy_within(lo..=hi, 0);
                w.truncate(hi - lo + 1);
                node.lo = a + lo;
                node.slope = slope;
                return (done, a + lo, a + hi);
            }
            let grow = (b - a + 1).max(16);
            if !left_ok {
                a = a.saturating_sub(grow);
            }
            if !right_ok {
                b = (b + grow).min(self.cells - 1);
            }
        }
    }
}
