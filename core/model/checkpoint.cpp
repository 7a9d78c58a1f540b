#include "core/model/checkpoint.h"

#include <cstring>
#include <fstream>
#include <sstream>

namespace lldif {

namespace fs = std::filesystem;

namespace {

constexpr char kMagic[8] = {'L', 'L', 'D', 'I', 'F', 'C', 'K', 'P'};

template <typename T>
void writePod(std::ostream& os, T v) {
  os.write(reinterpret_cast<const char*>(&v), sizeof v);
}

template <typename T>
bool readPod(std::istream& is, T& v) {
  return static_cast<bool>(is.read(reinterpret_cast<char*>(&v), sizeof v));
}

const char* variantName(Variant v) {
  switch (v) {
    case Variant::kV1NoDiffusion:
      return "V1";
    case Variant::kV2:
      return "V2";
    case Variant::kV3:
      return "V3";
    case Variant::kV4:
      return "V4";
    case Variant::kPlain:
      return "plain";
  }
  return "V4";
}

}  // namespace

std::string configToText(const ModelConfig& c) {
  std::ostringstream os;
  os.precision(9);
  os << "prior_dim " << c.prior_dim << "\n"
     << "timesteps " << c.timesteps << "\n"
     << "beta_start " << c.beta_start << "\n"
     << "beta_end " << c.beta_end << "\n"
     << "denoiser_layers " << c.denoiser_layers << "\n"
     << "input_size " << c.input_size << "\n"
     << "heatmap_channels " << c.heatmap_channels << "\n"
     << "dims " << c.dims[0] << " " << c.dims[1] << " " << c.dims[2] << "\n"
     << "backbone " << c.backbone << "\n"
     << "heads " << c.heads << "\n"
     << "window " << c.window << "\n"
     << "fusion_dim " << c.fusion_dim << "\n"
     << "fusion_blocks " << c.fusion_blocks << "\n"
     << "fusion_side " << c.fusion_side << "\n"
     << "kl_tau " << c.kl_tau << "\n"
     << "variant " << variantName(c.variant) << "\n"
     << "input_mean " << c.input_mean << "\n"
     << "input_std " << c.input_std << "\n"
     << "framing " << c.framing << "\n";
  return os.str();
}

ModelConfig configFromText(const std::string& text) {
  ModelConfig c;
  std::istringstream is(text);
  std::string line;
  while (std::getline(is, line)) {
    std::istringstream ls(line);
    std::string key;
    ls >> key;
    if (key == "prior_dim")
      ls >> c.prior_dim;
    else if (key == "timesteps")
      ls >> c.timesteps;
    else if (key == "beta_start")
      ls >> c.beta_start;
    else if (key == "beta_end")
      ls >> c.beta_end;
    else if (key == "denoiser_layers")
      ls >> c.denoiser_layers;
    else if (key == "input_size")
      ls >> c.input_size;
    else if (key == "heatmap_channels")
      ls >> c.heatmap_channels;
    else if (key == "dims")
      ls >> c.dims[0] >> c.dims[1] >> c.dims[2];
    else if (key == "framing") {
      ls >> c.framing;
      if (!ls.fail() && c.framing != "aligned" && c.framing != "image")
        throw std::invalid_argument("unknown framing '" + c.framing + "'");
    } else if (key == "backbone") {
      ls >> c.backbone;
      if (!ls.fail() && c.backbone != "patch" && c.backbone != "resnet")
        throw std::invalid_argument("unknown backbone '" + c.backbone + "'");
    } else if (key == "heads")
      ls >> c.heads;
    else if (key == "window")
      ls >> c.window;
    else if (key == "fusion_dim")
      ls >> c.fusion_dim;
    else if (key == "fusion_blocks")
      ls >> c.fusion_blocks;
    else if (key == "fusion_side")
      ls >> c.fusion_side;
    else if (key == "kl_tau")
      ls >> c.kl_tau;
    else if (key == "input_mean")
      ls >> c.input_mean;
    else if (key == "input_std")
      ls >> c.input_std;
    else if (key == "variant") {
      std::string v;
      ls >> v;
      c.variant = v == "V1"      ? Variant::kV1NoDiffusion
                  : v == "V2"    ? Variant::kV2
                  : v == "V3"    ? Variant::kV3
                  : v == "plain" ? Variant::kPlain
                                 : Variant::kV4;
    } else {
      continue;  // other header lines (metadata) are not configuration
    }
    if (ls.fail()) throw std::invalid_argument("bad value for '" + key + "'");
  }
  return c;
}

void saveCheckpoint(const fs::path& file, LLDifNet& net, const CheckpointMeta& meta) {
  std::ostringstream header;
  header << configToText(net->config);
  header << "classes";
  for (const char* n : kClassNames) header << " " << n;
  header << "\ntrained " << (meta.trained ? 1 : 0) << "\nstage " << meta.stage << "\ntemplate";
  for (float v : meta.alignment_template) header << " " << v;
  header << "\n";
  for (const auto& [k, v] : meta.info) {
    std::string flat = v;
    for (char& ch : flat)
      if (ch == '\n') ch = ' ';
    header << "info." << k << " " << flat << "\n";
  }

  std::ostringstream weights;
  try {
    torch::serialize::OutputArchive archive;
    net->save(archive);
    archive.save_to(weights);
  } catch (const std::exception& e) {
    throw CheckpointError("Cannot serialise the model for " + file.string() + ": " + e.what());
  }
  const std::string w = weights.str(), h = header.str();

  const fs::path tmp = file.string() + ".part";
  {
    std::ofstream os(tmp, std::ios::binary | std::ios::trunc);
    if (!os) throw CheckpointError("Cannot write " + tmp.string());
    os.write(kMagic, sizeof kMagic);
    writePod<std::uint32_t>(os, kCheckpointVersion);
    writePod<std::uint64_t>(os, h.size());
    os.write(h.data(), static_cast<std::streamsize>(h.size()));
    writePod<std::uint64_t>(os, w.size());
    writePod<std::uint64_t>(os, fnv1a(w));
    os.write(w.data(), static_cast<std::streamsize>(w.size()));
    if (!os.flush()) throw CheckpointError("Writing " + tmp.string() + " failed (disk full?)");
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) throw CheckpointError("Cannot move " + tmp.string() + " to " + file.string() + ": " + ec.message());
}

LoadedCheckpoint loadCheckpoint(const fs::path& file) {
  const std::string name = file.string();
  std::error_code ec;
  if (!fs::exists(file, ec)) throw CheckpointError("Model file not found: " + name);
  std::ifstream is(file, std::ios::binary);
  if (!is) throw CheckpointError("Cannot read model file " + name);
  char magic[8] = {};
  if (!is.read(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof magic) != 0) {
    throw CheckpointError(name + " is not an LLDif model checkpoint (wrong file type)");
  }
  std::uint32_t version = 0;
  if (!readPod(is, version)) throw CheckpointError(name + " is truncated (no version)");
  if (version != kCheckpointVersion) {
    throw CheckpointError(name + " has checkpoint format version " + std::to_string(version) +
                          "; this build reads version " + std::to_string(kCheckpointVersion));
  }
  std::uint64_t hlen = 0;
  if (!readPod(is, hlen) || hlen > (1u << 24))
    throw CheckpointError(name + " is truncated or corrupt (header size)");
  std::string header(hlen, '\0');
  if (!is.read(header.data(), static_cast<std::streamsize>(hlen)))
    throw CheckpointError(name + " is truncated (header)");
  std::uint64_t wlen = 0, whash = 0;
  if (!readPod(is, wlen) || !readPod(is, whash)) throw CheckpointError(name + " is truncated (no weights)");
  const auto start = is.tellg();
  is.seekg(0, std::ios::end);
  const auto available = static_cast<std::uint64_t>(is.tellg() - start);
  if (available < wlen) {
    throw CheckpointError(name + " is truncated: " + std::to_string(available) + " of " +
                          std::to_string(wlen) + " bytes of weights present");
  }
  is.seekg(start);
  std::string w(wlen, '\0');
  is.read(w.data(), static_cast<std::streamsize>(wlen));
  if (fnv1a(w) != whash) throw CheckpointError(name + " is corrupt (the weights' checksum does not match)");

  LoadedCheckpoint out;
  ModelConfig config;
  try {
    config = configFromText(header);
  } catch (const std::exception& e) {
    throw CheckpointError(name + " has a bad configuration header: " + e.what());
  }
  std::istringstream hs(header);
  std::string line;
  while (std::getline(hs, line)) {
    std::istringstream ls(line);
    std::string key;
    ls >> key;
    if (key == "trained") {
      int t = 0;
      ls >> t;
      out.meta.trained = t != 0;
    } else if (key == "stage") {
      ls >> out.meta.stage;
    } else if (key == "template") {
      float v;
      while (ls >> v) out.meta.alignment_template.push_back(v);
    } else if (key.rfind("info.", 0) == 0) {
      std::string rest;
      std::getline(ls >> std::ws, rest);
      out.meta.info[key.substr(5)] = rest;
    }
  }
  try {
    out.net = LLDifNet(config);
    torch::serialize::InputArchive archive;
    std::istringstream ws(w);
    archive.load_from(ws);
    out.net->load(archive);
  } catch (const std::exception& e) {
    throw CheckpointError(name + ": the weights do not fit the configuration it declares (" +
                          std::string(e.what()).substr(0, 200) + ")");
  }
  return out;
}

}  // namespace lldif
