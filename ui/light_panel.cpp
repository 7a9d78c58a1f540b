#include "ui/light_panel.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QRadioButton>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

namespace lldif::ui {

namespace {
QSlider* slider(int lo, int hi, QWidget* parent) {
  auto* s = new QSlider(Qt::Horizontal, parent);
  s->setRange(lo, hi);
  return s;
}
}  // namespace

LightPanel::LightPanel(QWidget* parent)
    : QWidget(parent),
      mode_group_(new QButtonGroup(this)),
      preset_(new QComboBox(this)),
      ev_(slider(0, 32, this)),  // EV 0..8 in quarter stops
      full_well_(new QSpinBox(this)),
      read_noise_(slider(0, 40, this)),  // 0..10 e- in quarters
      cast_g_(slider(30, 100, this)),
      cast_b_(slider(30, 100, this)),
      noise_(new QCheckBox(tr("Sensor noise"), this)),
      camera_dark_(new QCheckBox(tr("The camera is already dark"), this)),
      preview_(new QCheckBox(tr("Show an enhanced preview"), this)),
      seeds_(new QSpinBox(this)),
      uncertainty_(new QCheckBox(tr("Show uncertainty (spread)"), this)),
      mirror_(new QComboBox(this)),
      perturbation_(new QComboBox(this)),
      smoothing_(new QCheckBox(tr("Temporal smoothing (EMA)"), this)),
      alpha_(slider(5, 100, this)),
      ev_label_(new QLabel(this)),
      read_label_(new QLabel(this)),
      cast_label_(new QLabel(this)),
      alpha_label_(new QLabel(this)) {
  auto* layout = new QVBoxLayout(this);
  auto* mode_box = new QGroupBox(tr("Mode"), this);
  auto* mode_layout = new QVBoxLayout(mode_box);
  const QStringList modes = {tr("Clear"), tr("Dark room: darken, then analyse"),
                             tr("Compare clear and dark")};
  for (int i = 0; i < modes.size(); ++i) {
    auto* b = new QRadioButton(modes[i], mode_box);
    mode_group_->addButton(b, i);
    mode_layout->addWidget(b);
  }
  mode_group_->button(0)->setChecked(true);
  layout->addWidget(mode_box);

  auto* sim = new QGroupBox(tr("Low-light simulation"), this);
  auto* form = new QFormLayout(sim);
  preset_->addItems({"ll", "xll", tr("custom")});
  form->addRow(tr("Preset"), preset_);
  form->addRow(tr("Exposure drop"), ev_);
  form->addRow(QString(), ev_label_);
  full_well_->setRange(500, 40000);
  full_well_->setSingleStep(500);
  full_well_->setSuffix(tr(" e-"));
  form->addRow(tr("Full well"), full_well_);
  form->addRow(tr("Read noise"), read_noise_);
  form->addRow(QString(), read_label_);
  form->addRow(tr("Green gain"), cast_g_);
  form->addRow(tr("Blue gain"), cast_b_);
  form->addRow(QString(), cast_label_);
  noise_->setChecked(true);
  form->addRow(QString(), noise_);
  layout->addWidget(sim);

  auto* real = new QGroupBox(tr("Real low light"), this);
  auto* real_layout = new QVBoxLayout(real);
  camera_dark_->setToolTip(
      tr("For real dim rooms: the model gets the raw frame; you may see an enhanced preview"));
  uncertainty_->setToolTip(tr("Show the spread of the top probability over the noise seeds"));
  real_layout->addWidget(camera_dark_);
  preview_->setChecked(true);
  real_layout->addWidget(preview_);
  layout->addWidget(real);

  auto* model = new QGroupBox(tr("Predictions"), this);
  auto* mform = new QFormLayout(model);
  seeds_->setRange(1, 8);
  seeds_->setToolTip(
      tr("Noise draws Z_T per face; their spread measures the diffusion's randomness (costs K model runs). "
         "The shipped model reaches the same prediction from any draw: its spread is ~0 "
         "(models/MODEL_CARD.md)"));
  mform->addRow(tr("Noise seeds"), seeds_);
  mform->addRow(QString(), uncertainty_);
  // Item index = MirrorAveraging.
  mirror_->addItems({tr("off"), tr("photos only"), tr("always")});
  mirror_->setCurrentIndex(static_cast<int>(MirrorAveraging::kStills));
  mirror_->setToolTip(
      tr("Each face is also read mirrored and the two readings averaged: more accurate (FER2013Test "
         "86.6 -> 86.9% clear, 84.8 -> 85.7% low light), twice the model's work per face. 'photos only': "
         "images and folders; video keeps one pass to keep up with the camera (models/MODEL_CARD.md)"));
  mform->addRow(tr("Mirror averaging"), mirror_);
  // Item index = Perturbation.
  perturbation_->addItems({tr("as they are"), tr("blurred"), tr("low resolution"), tr("sharpened"),
                           tr("low contrast"), tr("brighter (gamma)"), tr("JPEG quality 15"),
                           tr("sensor noise"), tr("sunglasses"), tr("mask")});
  perturbation_->setToolTip(
      tr("Changes each face found before the model reads it (and before compare mode darkens it), as "
         "'lldif eval --perturb' does on a benchmark: how the model holds up on faces from other cameras "
         "and collections. Clear and compare modes (models/MODEL_CARD.md has the measured accuracies)"));
  mform->addRow(tr("Faces"), perturbation_);
  smoothing_->setChecked(true);
  mform->addRow(QString(), smoothing_);
  alpha_->setValue(35);
  mform->addRow(tr("New-frame weight"), alpha_);
  mform->addRow(QString(), alpha_label_);
  layout->addWidget(model);
  layout->addStretch(1);

  setPreset("ll");
  connect(mode_group_, &QButtonGroup::idClicked, this, [this] { emit changed(); });
  connect(preset_, &QComboBox::currentIndexChanged, this, &LightPanel::presetChosen);
  for (QSlider* s : {ev_, read_noise_, cast_g_, cast_b_, alpha_}) {
    connect(s, &QSlider::valueChanged, this, [this, s] {
      if (!applying_preset_ && s != alpha_) preset_->setCurrentIndex(2);  // custom
      updateLabels();
      emit changed();
    });
  }
  connect(full_well_, &QSpinBox::valueChanged, this, [this] {
    if (!applying_preset_) preset_->setCurrentIndex(2);
    emit changed();
  });
  connect(seeds_, &QSpinBox::valueChanged, this, [this] { emit changed(); });
  connect(mirror_, &QComboBox::currentIndexChanged, this, [this] { emit changed(); });
  connect(perturbation_, &QComboBox::currentIndexChanged, this, [this] { emit changed(); });
  // Dark room finds its faces on the dark frame: no face to change before the darkening.
  connect(mode_group_, &QButtonGroup::idToggled, this,
          [this] { perturbation_->setEnabled(mode() != ViewMode::kDarkroom); });
  for (QCheckBox* c : {noise_, camera_dark_, preview_, uncertainty_, smoothing_})
    connect(c, &QCheckBox::toggled, this, [this] { emit changed(); });
  updateLabels();
}

void LightPanel::presetChosen(int index) {
  if (index < 0 || index > 1) return;  // custom: keep the sliders
  const LowLightParams p = lowLightPreset(index == 0 ? "ll" : "xll").typical();
  applying_preset_ = true;
  ev_->setValue(qRound(p.ev * 4));
  full_well_->setValue(static_cast<int>(p.full_well));
  read_noise_->setValue(qRound(p.read_noise * 4));
  cast_g_->setValue(qRound(p.cast_g * 100));
  cast_b_->setValue(qRound(p.cast_b * 100));
  applying_preset_ = false;
  updateLabels();
  emit changed();
}

void LightPanel::setPreset(const QString& name) {
  const int i = preset_->findText(name);
  if (i < 0) return;
  if (preset_->currentIndex() == i)
    presetChosen(i);
  else
    preset_->setCurrentIndex(i);
}

void LightPanel::updateLabels() {
  ev_label_->setText(tr("%1 stops (light x 1/%2)")
                         .arg(ev_->value() / 4.0, 0, 'f', 2)
                         .arg(std::pow(2.0, ev_->value() / 4.0), 0, 'f', 1));
  read_label_->setText(tr("%1 e- read noise").arg(read_noise_->value() / 4.0, 0, 'f', 2));
  cast_label_->setText(tr("cast: green %1, blue %2")
                           .arg(cast_g_->value() / 100.0, 0, 'f', 2)
                           .arg(cast_b_->value() / 100.0, 0, 'f', 2));
  alpha_label_->setText(smoothing_->isChecked()
                            ? tr("%1 (lower = smoother)").arg(alpha_->value() / 100.0, 0, 'f', 2)
                            : tr("off"));
}

ViewMode LightPanel::mode() const { return static_cast<ViewMode>(std::max(0, mode_group_->checkedId())); }

void LightPanel::setMode(ViewMode m) {
  mode_group_->button(static_cast<int>(m))->setChecked(true);
  emit changed();
}

LowLightParams LightPanel::lowLight() const {
  LowLightParams p;
  p.ev = ev_->value() / 4.0;
  p.full_well = full_well_->value();
  p.read_noise = read_noise_->value() / 4.0;
  p.cast_g = cast_g_->value() / 100.0;
  p.cast_b = cast_b_->value() / 100.0;
  p.noise = noise_->isChecked();
  return p;
}

ProcessorSettings LightPanel::apply(ProcessorSettings s) const {
  const ViewMode m = mode();
  s.darkroom = m == ViewMode::kDarkroom;
  s.compare = m == ViewMode::kCompare;
  s.camera_dark = cameraDark() && enhancedPreview() && m == ViewMode::kClear;
  s.lowlight = lowLight();
  s.noise_seeds = seeds_->value();
  s.mirror = mirrorAveraging();
  s.perturbation = m == ViewMode::kDarkroom ? Perturbation::kNone : perturbation();
  return s;
}

bool LightPanel::cameraDark() const { return camera_dark_->isChecked(); }
bool LightPanel::enhancedPreview() const { return preview_->isChecked(); }
bool LightPanel::smoothing() const { return smoothing_->isChecked(); }
double LightPanel::smoothingAlpha() const { return smoothing_->isChecked() ? alpha_->value() / 100.0 : 1.0; }
bool LightPanel::uncertainty() const { return uncertainty_->isChecked(); }
MirrorAveraging LightPanel::mirrorAveraging() const {
  return static_cast<MirrorAveraging>(std::clamp(mirror_->currentIndex(), 0, 2));
}
void LightPanel::setMirrorAveraging(MirrorAveraging m) { mirror_->setCurrentIndex(static_cast<int>(m)); }
Perturbation LightPanel::perturbation() const {
  return static_cast<Perturbation>(std::clamp(perturbation_->currentIndex(), 0, perturbation_->count() - 1));
}
void LightPanel::setPerturbation(Perturbation p) { perturbation_->setCurrentIndex(static_cast<int>(p)); }

void LightPanel::saveSettings() const {
  QSettings s;
  s.beginGroup("light");
  s.setValue("mode", static_cast<int>(mode()));
  s.setValue("preset", preset_->currentIndex());
  s.setValue("ev", ev_->value());
  s.setValue("full_well", full_well_->value());
  s.setValue("read_noise", read_noise_->value());
  s.setValue("cast_g", cast_g_->value());
  s.setValue("cast_b", cast_b_->value());
  s.setValue("noise", noise_->isChecked());
  s.setValue("camera_dark", camera_dark_->isChecked());
  s.setValue("preview", preview_->isChecked());
  s.setValue("seeds", seeds_->value());
  s.setValue("uncertainty", uncertainty_->isChecked());
  s.setValue("mirror", mirror_->currentIndex());
  s.setValue("perturbation", QString::fromStdString(perturbationName(perturbation())));
  s.setValue("smoothing", smoothing_->isChecked());
  s.setValue("alpha", alpha_->value());
  s.endGroup();
}

void LightPanel::loadSettings() {
  QSettings s;
  s.beginGroup("light");
  if (!s.contains("ev")) return;
  applying_preset_ = true;
  ev_->setValue(s.value("ev").toInt());
  full_well_->setValue(s.value("full_well").toInt());
  read_noise_->setValue(s.value("read_noise").toInt());
  cast_g_->setValue(s.value("cast_g").toInt());
  cast_b_->setValue(s.value("cast_b").toInt());
  preset_->setCurrentIndex(std::clamp(s.value("preset").toInt(), 0, 2));
  applying_preset_ = false;
  noise_->setChecked(s.value("noise", true).toBool());
  camera_dark_->setChecked(s.value("camera_dark", false).toBool());
  preview_->setChecked(s.value("preview", true).toBool());
  seeds_->setValue(s.value("seeds", 1).toInt());
  uncertainty_->setChecked(s.value("uncertainty", false).toBool());
  mirror_->setCurrentIndex(
      std::clamp(s.value("mirror", static_cast<int>(MirrorAveraging::kStills)).toInt(), 0, 2));
  try {
    setPerturbation(perturbationFromName(s.value("perturbation", "none").toString().toStdString()));
  } catch (const std::invalid_argument&) {  // a name this version does not know
    setPerturbation(Perturbation::kNone);
  }
  smoothing_->setChecked(s.value("smoothing", true).toBool());
  alpha_->setValue(s.value("alpha", 35).toInt());
  const int m = std::clamp(s.value("mode", 0).toInt(), 0, 2);
  mode_group_->button(m)->setChecked(true);
  s.endGroup();
  updateLabels();
  emit changed();
}

}  // namespace lldif::ui
