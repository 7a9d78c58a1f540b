// light_panel.h - the dark-room controls: mode (clear / dark room / compare), presets ll / xll, EV, sensor
// noise (full well, read noise), colour cast, "the camera is already dark" with an enhanced preview, noise
// seeds (uncertainty), mirror averaging, faces from elsewhere (a perturbation of each face) and temporal
// smoothing. Persists itself in QSettings. UI thread only.
#pragma once

#include <QWidget>

#include "core/pipeline_runner.h"

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QSpinBox;

namespace lldif::ui {

enum class ViewMode { kClear = 0, kDarkroom = 1, kCompare = 2 };

class LightPanel : public QWidget {
  Q_OBJECT
 public:
  explicit LightPanel(QWidget* parent = nullptr);

  ViewMode mode() const;
  void setMode(ViewMode mode);
  void setPreset(const QString& name);  // "ll" or "xll"
  LowLightParams lowLight() const;
  // The processor settings these controls ask for (seed and other fields from base).
  ProcessorSettings apply(ProcessorSettings base) const;
  bool cameraDark() const;
  bool enhancedPreview() const;
  bool smoothing() const;
  double smoothingAlpha() const;  // 1 when smoothing is off
  bool uncertainty() const;
  MirrorAveraging mirrorAveraging() const;  // "Mirror averaging" (ProcessorSettings::mirror)
  void setMirrorAveraging(MirrorAveraging m);
  // "Faces from elsewhere": each face blurred, compressed, covered... (ProcessorSettings::perturbation);
  // offered in clear and compare modes (dark room finds its faces on the dark frame).
  Perturbation perturbation() const;
  void setPerturbation(Perturbation p);

  void saveSettings() const;
  void loadSettings();

 signals:
  void changed();

 private:
  void presetChosen(int index);
  void updateLabels();

  QButtonGroup* mode_group_;
  QComboBox* preset_;
  QSlider* ev_;
  QSpinBox* full_well_;
  QSlider* read_noise_;
  QSlider* cast_g_;
  QSlider* cast_b_;
  QCheckBox* noise_;
  QCheckBox* camera_dark_;
  QCheckBox* preview_;
  QSpinBox* seeds_;
  QCheckBox* uncertainty_;
  QComboBox* mirror_;
  QComboBox* perturbation_;
  QCheckBox* smoothing_;
  QSlider* alpha_;
  QLabel* ev_label_;
  QLabel* read_label_;
  QLabel* cast_label_;
  QLabel* alpha_label_;
  bool applying_preset_ = false;
};

}  // namespace lldif::ui
