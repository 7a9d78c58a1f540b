// model_config.h - the sizes of the LLDif network (no LibTorch here: the UI may include it).
// Numbers the paper leaves open come from DiffIR, as ../shared/docs/METHOD_NOTES.md explains.
#pragma once

#include <array>
#include <string>
#include <vector>

namespace lldif {

inline constexpr int kNumClasses = 8;
inline const std::array<const char*, kNumClasses> kClassNames = {
    "neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt"};

// Table 5 of the paper.
enum class Variant {
  kV1NoDiffusion,  // Z from PNET_s2 directly, no diffusion
  kV2,             // diffusion + L_total (L_ce + L_kl) + inserted noise
  kV3,             // diffusion + L_ce, no inserted noise
  kV4,             // diffusion + L_ce + inserted noise (the paper's best)
  kPlain,          // not LLDif: the plain compact-ResNet baseline (no landmarks, no prior, no diffusion)
};

struct ModelConfig {
  int prior_dim = 256;      // C: size of the EPD Z
  int timesteps = 4;        // T
  double beta_start = 0.1;  // DiffIR: beta linear in sqrt space from 0.1 to 0.99
  double beta_end = 0.99;
  int denoiser_layers = 3;                 // C -> C layers after the input layer
  int input_size = 48;                     // aligned gray crop
  int heatmap_channels = 5;                // jaw, brows, nose, eyes, mouth
  std::array<int, 3> dims = {24, 48, 96};  // LLformer widths at 24x24, 12x12, 6x6
  // Image branch of the LLformer before each DTNet block: "patch" (a strided 3x3 stem, then 2x2 patch
  // merging; the first shipped model) or "resnet" (a 48x48 conv stem, then two residual blocks per scale:
  // the layers of the plain baseline, so its trained weights can start the LLformer; dims 48/96/192).
  std::string backbone = "patch";
  int heads = 2;        // attention heads per DTNet / DLNet block
  int window = 6;       // DLNet window size (tokens per side)
  int fusion_dim = 96;  // width of the fusion transformer
  int fusion_side = 3;  // each scale's fused map is pooled to side x side tokens (3 scales x 9 = 27)
  int fusion_blocks = 2;
  float kl_tau = 0.15f;  // temperature of L_kl (DiffIR)
  Variant variant = Variant::kV4;
  float input_mean = 0.5f;  // crop / 255 is normalised as (x - mean) / std
  float input_std = 0.25f;
  // How FERPlus-style images (the face fills the frame) were framed in training, and so how `lldif eval`
  // frames them: "aligned" (a similarity onto the alignment template) or "image" (the image's own framing).
  // Faces from elsewhere (camera, photos) are always aligned to the template, the mean FERPlus framing.
  std::string framing = "aligned";
};

}  // namespace lldif
