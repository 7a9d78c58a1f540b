// chart_axes.h - value axes whose ticks fall on round numbers (1, 2 or 5 times a power of ten), so that a
// 0..1 probability axis reads 0, 0.2, ... 1 and a 10-second timeline -10, -8, ... 0, never 0.3 or -7.5
// rounded. UI thread only (Qt Charts objects).
#pragma once

class QValueAxis;

namespace lldif::ui {

// The smallest round step (1, 2 or 5 x 10^k) that cuts `span` into at most max_ticks intervals.
// requires: span > 0, max_ticks >= 1.
double niceTickInterval(double span, int max_ticks);

// Sets the axis to [lo, hi] with ticks every niceTickInterval(hi - lo, max_ticks), anchored at 0, and labels
// with as many decimals as the step needs.
void setNiceRange(QValueAxis* axis, double lo, double hi, int max_ticks = 5);

}  // namespace lldif::ui
