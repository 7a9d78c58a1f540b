#include "ui/image_convert.h"

#include <opencv2/imgproc.hpp>

namespace lldif::ui {

QImage toQImage(const cv::Mat& mat) {
  if (mat.empty() || mat.depth() != CV_8U) return {};
  switch (mat.channels()) {
    case 1:
      return QImage(mat.data, mat.cols, mat.rows, static_cast<qsizetype>(mat.step), QImage::Format_Grayscale8)
          .copy();
    case 3: {
      cv::Mat rgb;
      cv::cvtColor(mat, rgb, cv::COLOR_BGR2RGB);
      return QImage(rgb.data, rgb.cols, rgb.rows, static_cast<qsizetype>(rgb.step), QImage::Format_RGB888)
          .copy();
    }
    case 4: {
      cv::Mat rgba;
      cv::cvtColor(mat, rgba, cv::COLOR_BGRA2RGBA);
      return QImage(rgba.data, rgba.cols, rgba.rows, static_cast<qsizetype>(rgba.step),
                    QImage::Format_RGBA8888)
          .copy();
    }
    default:
      return {};
  }
}

}  // namespace lldif::ui
