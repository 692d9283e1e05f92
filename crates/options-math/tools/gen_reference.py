#!/usr/bin/env python3
"""Generate tests/data/bs_reference.csv: an independent high-precision
Black-Scholes reference for the accuracy test (tests/accuracy.rs).

Inputs are drawn deterministically (seeded) over the issue's domain and
rounded to the I80F48 grid (multiples of 2^-48), so they are exactly
representable; they are written as the integer number of 2^-48 units.
Values are computed with mpmath at 50 significant digits (closed forms with
erfc, not the fixed-point kernels under test) and written with 28
significant digits.

Run from crates/options-math:
  python3 tools/gen_reference.py > tests/data/bs_reference.csv
  python3 tools/gen_reference.py --published tests/data/published_cases.json > tests/data/published_on_grid.csv
"""
import random
from mpmath import mp, mpf, erfc, exp, log, sqrt, pi, nstr

mp.dps = 50
ULP = mpf(2) ** -48
N_CASES = 12000
SEED = 20261124


def grid(x):
    """Nearest multiple of 2^-48, as (units, exact mpf value)."""
    units = int(mp.nint(x / ULP))
    return units, units * ULP


def N(x):
    return erfc(-x / sqrt(2)) / 2


def phi(x):
    return exp(-x * x / 2) / sqrt(2 * pi)


def bs(S, K, T, v, r, q=mpf(0)):
    """Black-Scholes-Merton with continuous yield q (q = 0: plain BS)."""
    sd = v * sqrt(T)
    d1 = (log(S / K) + (r - q + v * v / 2) * T) / sd
    d2 = d1 - sd
    df = exp(-r * T)
    cf = exp(-q * T)
    call = S * cf * N(d1) - K * df * N(d2)
    put = K * df * N(-d2) - S * cf * N(-d1)
    gamma = cf * phi(d1) / (S * sd)
    vega = S * cf * phi(d1) * sqrt(T)
    decay = -S * cf * phi(d1) * v / (2 * sqrt(T))
    ctheta = decay - r * K * df * N(d2) + q * S * cf * N(d1)
    ptheta = decay + r * K * df * N(-d2) - q * S * cf * N(-d1)
    crho = K * T * df * N(d2)
    prho = -K * T * df * N(-d2)
    return [call, put, cf * N(d1), -cf * N(-d1), gamma, vega, ctheta, ptheta, crho, prho]


def main():
    rng = random.Random(SEED)
    cols = ["spot_units", "strike_units", "t_units", "vol_units", "rate_units",
            "call", "put", "call_delta", "put_delta", "gamma", "vega",
            "call_theta", "put_theta", "call_rho", "put_rho"]
    print("# Black-Scholes reference (mpmath, 50 digits; see tools/gen_reference.py). "
          "Inputs in units of 2^-48.")
    print(",".join(cols))
    for _ in range(N_CASES):
        spot = mpf(10) ** rng.uniform(-2, 5)          # 0.01 .. 1e5, log-uniform
        ratio = mpf(rng.uniform(0.5, 2.0))            # strike / spot
        t = mpf(2) * mpf(10) ** rng.uniform(-4.2426, 0)  # 1 hour (2/8760*... ) .. 2 years
        t = max(t, mpf(1) / 8760)
        vol = mpf(rng.uniform(0.05, 3.0))
        rate = mpf(rng.uniform(0.0, 0.10))
        su, S = grid(spot)
        ku, K = grid(spot * ratio)
        tu, T = grid(t)
        vu, V = grid(vol)
        ru, R = grid(rate)
        vals = bs(S, K, T, V, R)
        print(",".join([str(su), str(ku), str(tu), str(vu), str(ru)]
                       + [fixed(x) for x in vals]))


def fixed(x):
    """28 significant digits in plain decimal notation (what I64F64::from_str
    reads); values below 1e-40 are far under any tolerance and print as 0."""
    if abs(x) < mpf(10) ** -40:
        return "0"
    return nstr(x, 28, strip_zeros=False, min_fixed=-50, max_fixed=50)


def published(path):
    """The published cases re-evaluated at their inputs rounded to the I80F48
    grid (0.1 is not representable; the rounding moves the true value by more
    than the accuracy bar on steep cases), as the same CSV plus q_units."""
    import json
    cases = json.load(open(path))["cases"]
    print("# Published cases (tests/data/published_cases.json) at inputs rounded to 2^-48; "
          "mpmath 50 digits, see tools/gen_reference.py --published.")
    print("spot_units,strike_units,t_units,vol_units,rate_units,q_units,"
          "call,put,call_delta,put_delta,gamma,vega,call_theta,put_theta,call_rho,put_rho")
    for c in cases:
        units = [grid(mpf(str(c[k])))[0] for k in ("spot", "strike", "t_years", "vol", "rate", "dividend_yield")]
        vals = bs(*[u * ULP for u in units])
        print(",".join([str(u) for u in units] + [fixed(x) for x in vals]))


if __name__ == "__main__":
    import sys
    if len(sys.argv) == 3 and sys.argv[1] == "--published":
        published(sys.argv[2])
    else:
        main()
