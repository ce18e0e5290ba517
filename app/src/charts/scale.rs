//! The value axis: round tick values and where a value lies between them.
//!
//! Ticks are whole multiples of a step of 1, 2 or 5 times a power of ten, and the axis
//! always includes 0 (a volume whose axis starts elsewhere looks bigger than it is). The
//! arithmetic is in `i128`, so the full range of `i64` values fits without overflow.

/// The value axis of a chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticks {
    /// The tick values, from the lowest; ticks beyond `i64`'s range are left out.
    pub values: Vec<i64>,
    low: i128,
    high: i128,
}

impl Ticks {
    /// The axis from the lowest tick at or below both `min` and 0 to the highest at or
    /// above both `max` and 0, in at most `max_intervals` equal steps, each the smallest
    /// of 1, 2, 5, 10, 20, 50 … that allows it. Only zeros make the axis 0 to 1. At least
    /// two intervals are allowed: values on both sides of 0 need them.
    pub fn new(min: i64, max: i64, max_intervals: u32) -> Ticks {
        let min = i128::from(min.min(0));
        let max = i128::from(max.max(0)).max(min + 1);
        let intervals = i128::from(max_intervals.max(2));
        let mut magnitude = 1i128;
        loop {
            for step in [magnitude, 2 * magnitude, 5 * magnitude] {
                let low = min.div_euclid(step) * step;
                let high = -((-max).div_euclid(step)) * step;
                if (high - low) / step <= intervals {
                    let values = (0..=(high - low) / step)
                        .filter_map(|i| i64::try_from(low + i * step).ok())
                        .collect();
                    return Ticks { values, low, high };
                }
            }
            magnitude *= 10;
        }
    }

    /// Where `value` lies on the axis, as a position from `bottom` (the lowest tick) to
    /// `top` (the highest).
    pub fn position(&self, value: i64, bottom: f64, top: f64) -> f64 {
        let share = (i128::from(value) - self.low) as f64 / (self.high - self.low) as f64;
        bottom + share * (top - bottom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticks(min: i64, max: i64) -> Vec<i64> {
        Ticks::new(min, max, 5).values
    }

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(ticks(0, 3), [0, 1, 2, 3]);
        assert_eq!(ticks(0, 7), [0, 2, 4, 6, 8]);
        assert_eq!(ticks(0, 10), [0, 2, 4, 6, 8, 10]);
        assert_eq!(ticks(0, 23), [0, 5, 10, 15, 20, 25]);
        assert_eq!(ticks(0, 99), [0, 20, 40, 60, 80, 100]);
        assert_eq!(ticks(0, 123_456), [0, 50_000, 100_000, 150_000]);
        assert_eq!(
            ticks(0, 1_000_000),
            [0, 200_000, 400_000, 600_000, 800_000, 1_000_000]
        );
    }

    #[test]
    fn the_axis_includes_zero() {
        assert_eq!(ticks(500, 900), [0, 200, 400, 600, 800, 1000]);
        assert_eq!(ticks(-900, -500), [-1000, -800, -600, -400, -200, 0]);
    }

    #[test]
    fn negative_values_get_ticks_below_zero() {
        assert_eq!(ticks(-30, 70), [-50, 0, 50, 100]);
        assert_eq!(ticks(-1, 1), [-1, 0, 1]);
        assert_eq!(ticks(-7, 2), [-8, -6, -4, -2, 0, 2]);
    }

    #[test]
    fn zeros_and_nothing_give_an_axis_from_zero_to_one() {
        assert_eq!(ticks(0, 0), [0, 1]);
        assert_eq!(ticks(1, 1), [0, 1]);
    }

    #[test]
    fn too_few_intervals_are_raised_to_two() {
        assert_eq!(Ticks::new(-1, 1, 0).values, [-1, 0, 1]);
        assert_eq!(Ticks::new(-3, 40, 1).values, [-50, 0, 50]);
    }

    #[test]
    fn huge_values_do_not_overflow() {
        let e15 = 1_000_000_000_000_000;
        assert_eq!(
            ticks(0, 9 * e15),
            [0, 2 * e15, 4 * e15, 6 * e15, 8 * e15, 10 * e15]
        );
        // The axis of the whole i64 range runs from -1e19 to 1e19, past i64: those two
        // ticks are left out, the positions still use them.
        let axis = Ticks::new(i64::MIN, i64::MAX, 5);
        assert_eq!(axis.values, [-5000 * e15, 0, 5000 * e15]);
        let top = axis.position(i64::MAX, 100.0, 0.0);
        assert!(top.is_finite() && (0.0..=100.0).contains(&top));
    }

    #[test]
    fn positions_run_from_bottom_to_top() {
        let axis = Ticks::new(0, 100, 5);
        assert_eq!(axis.position(0, 200.0, 0.0), 200.0);
        assert_eq!(axis.position(50, 200.0, 0.0), 100.0);
        assert_eq!(axis.position(100, 200.0, 0.0), 0.0);
    }
}
