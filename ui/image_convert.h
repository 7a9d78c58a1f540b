// image_convert.h - OpenCV images to Qt images.
#pragma once

#include <QImage>
#include <opencv2/core.hpp>

namespace lldif::ui {

// Deep copy of an 8-bit gray, BGR or BGRA cv::Mat as a QImage (safe to keep after the Mat is gone).
QImage toQImage(const cv::Mat& mat);

}  // namespace lldif::ui
