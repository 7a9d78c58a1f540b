#include "ui/chart_axes.h"

#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace lldif::ui {

double niceTickInterval(double span, int max_ticks) {
  const double raw = span / std::max(1, max_ticks);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * power >= raw * (1 - 1e-9)) return m * power;
  }
  return 10 * power;
}

void setNiceRange(QValueAxis* axis, double lo, double hi, int max_ticks) {
  if (!(hi > lo)) hi = lo + 1;
  const double step = niceTickInterval(hi - lo, max_ticks);
  axis->setRange(lo, hi);
  axis->setTickType(QValueAxis::TicksDynamic);
  axis->setTickAnchor(0.0);
  axis->setTickInterval(step);
  const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  axis->setLabelFormat(QStringLiteral("%.%1f").arg(decimals));
}

}  // namespace lldif::ui
