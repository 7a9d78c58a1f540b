// The training tools end to end on a tiny FERPlus-layout folder made of the bundled CC0 portraits:
// `lldif prepare`, every `lldif train` stage (the plain baseline, LA-CLIP, stage 1 on the baseline's trunk,
// stage 2), pausing and resuming a stage, the standalone `lldif-train` (same weights as `lldif train`),
// `lldif eval` with its JSON and report, and the messages for bad input.
#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <torch/torch.h>

#include "cli_run.h"
#include "core/model/checkpoint.h"
#include "core/model/llformer.h"
#include "core/model/plain_resnet.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using lldif::test::CliRun;
using lldif::test::run;

std::string readFile(const fs::path& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

// How many of the plain baseline `a`'s trunk parameters (all but the classifier head) equal `b`'s, weight for
// weight; `total` is set to how many there are.
int trunkParametersEqual(lldif::PlainResNet& a, lldif::PlainResNet& b, int& total) {
  const auto other = b->named_parameters(true);
  int equal = 0;
  total = 0;
  for (const auto& p : a->named_parameters(true)) {
    if (p.key().rfind("head", 0) == 0) continue;
    ++total;
    equal += torch::equal(p.value(), other[p.key()]) ? 1 : 0;
  }
  return equal;
}

TEST(CliTraining, PrepareTrainEveryStageResumeAndEvalOnATinyFerPlusFolder) {
  lldif::test::TempDir dir;
  // 13 real faces, cut as FERPlus cuts them (48x48 gray); smiling ones labelled happiness, the others
  // neutral.
  std::vector<fs::path> files = lldif::test::portraitFixtures();
  for (const auto& e : fs::directory_iterator(lldif::test::resourcesDir() / "demo"))
    files.push_back(e.path());
  std::vector<cv::Mat> train_faces, valid_faces;
  std::vector<std::array<int, 10>> train_votes, valid_votes;
  for (const auto& f : files) {
    const std::string n = f.filename().string();
    const bool happy = contains(n, "009") || contains(n, "089") || contains(n, "071");
    const std::array<int, 10> votes = happy ? std::array<int, 10>{2, 8, 0, 0, 0, 0, 0, 0, 0, 0}
                                            : std::array<int, 10>{9, 0, 1, 0, 0, 0, 0, 0, 0, 0};
    const cv::Mat face = lldif::test::ferLikeFace(f);
    cv::Mat mirrored;
    cv::flip(face, mirrored, 1);
    train_faces.push_back(face);
    train_faces.push_back(mirrored);
    train_votes.push_back(votes);
    train_votes.push_back(votes);
    valid_faces.push_back(mirrored);
    valid_votes.push_back(votes);
  }
  ASSERT_GE(files.size(), 12u);
  const fs::path root = dir / "ferplus";
  lldif::test::writeFerPlusFolder(root / "FER2013Train", train_faces, train_votes);
  lldif::test::writeFerPlusFolder(root / "FER2013Valid", valid_faces, valid_votes);

  const std::string pack = (dir / "tiny.pack").string();
  const CliRun prep = run("prepare --keep-framing " + root.string() + " " + pack, true);
  ASSERT_EQ(prep.code, 0) << prep.out;
  EXPECT_TRUE(contains(prep.out, std::to_string(3 * files.size()) + " faces")) << prep.out;
  // The same pack near-losslessly, one split alone (no dlib run), and near-losslessly with both splits,
  // read by the LibTorch-only trainer (what travels to a GPU machine: docs/TRAINING.md).
  const std::string valid_pack = (dir / "valid.pack").string(), near_pack = (dir / "near.pack").string();
  const CliRun shrink = run("prepare " + pack + " " + valid_pack + " --splits valid --max-error 1", true);
  ASSERT_EQ(shrink.code, 0) << shrink.out;
  EXPECT_TRUE(contains(
      shrink.out, std::to_string(files.size()) + " of the " + std::to_string(3 * files.size()) + " faces"))
      << shrink.out;
  EXPECT_TRUE(contains(shrink.out, "within 1 gray level")) << shrink.out;
  ASSERT_EQ(run("prepare " + pack + " " + near_pack + " --max-error 1", true).code, 0);
  const CliRun near_train = lldif::test::runProgram(
      LLDIF_TRAIN,
      "--stage 2 --variant plain --epochs 1 --batch 4 --threads 1 --stop-at-step 1 --pack " + near_pack +
          " --out " + (dir / "near.ckpt").string(),
      true);
  EXPECT_EQ(near_train.code, 0) << near_train.out;
  EXPECT_TRUE(contains(near_train.out, "stage 2 paused")) << near_train.out;

  // The plain baseline, paused after 3 of its 12 steps (26 faces, batch 4, 2 epochs), then resumed.
  const std::string common = " --pack " + pack + " --batch 4 --threads 1 --lr 1e-3";
  const std::string plain = (dir / "plain.ckpt").string();
  const std::string plain_cmd = "train --stage 2 --variant plain --epochs 2 --out " + plain + common;
  const CliRun paused = run(plain_cmd + " --stop-at-step 3", true);
  ASSERT_EQ(paused.code, 0) << paused.out;
  EXPECT_TRUE(contains(paused.out, "stage 2 paused")) << paused.out;
  EXPECT_EQ(readFile(plain + ".run/state.txt").substr(0, 2), "3 ");
  const CliRun resumed = run(plain_cmd, true);
  ASSERT_EQ(resumed.code, 0) << resumed.out;
  EXPECT_TRUE(contains(resumed.out, "resuming stage 2 at step 3 of 12")) << resumed.out;
  EXPECT_TRUE(contains(resumed.out, "stage 2 finished in")) << resumed.out;
  EXPECT_TRUE(contains(resumed.out, "in all runs")) << resumed.out;
  EXPECT_TRUE(contains(resumed.out, "valid after 2.00 epochs")) << resumed.out;
  EXPECT_TRUE(contains(resumed.out, "ETA")) << resumed.out;

  // LLDif: stage 0 (LA-CLIP), stage 1 on the baseline's trunk, stage 2 through the diffusion.
  const std::string s0 = (dir / "s0.ckpt").string(), s1 = (dir / "s1.ckpt").string(),
                    s2 = (dir / "s2.ckpt").string();
  const std::pair<std::string, std::string> stages[] = {
      {"train --stage 0 --epochs 1" + common, s0},
      {"train --stage 1 --epochs 1 --init " + s0 + " --backbone-from " + plain + " --backbone-lr 0" + common,
       s1},
      {"train --stage 2 --epochs 1 --init " + s1 + common, s2}};
  for (const auto& [args, out] : stages) {
    const CliRun r = run(args + " --out " + out, true);
    ASSERT_EQ(r.code, 0) << args << "\n" << r.out;
    EXPECT_TRUE(contains(r.out, "finished in")) << args << "\n" << r.out;
    if (contains(args, "--backbone-lr")) EXPECT_TRUE(contains(r.out, "learns at 0 x")) << r.out;
    ASSERT_TRUE(fs::exists(out)) << out;
  }

  // A new cycle of the plain baseline from the trained LLDif's trunk (and not from a model without one).
  const std::string again = (dir / "plain-again.ckpt").string();
  {
    const CliRun r = run("train --stage 2 --variant plain --epochs 1 --stop-at-step 1 --backbone-from " + s2 +
                             " --out " + again + common,
                         true);
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "plain baseline started from the residual trunk of")) << r.out;
    const CliRun wrong = run("train --stage 2 --variant plain --epochs 1 --backbone-from " + plain +
                                 " --out " + (dir / "plain-wrong.ckpt").string() + common,
                             true);
    EXPECT_NE(wrong.code, 0);
    EXPECT_TRUE(contains(wrong.out, "has no LLformer on a residual backbone")) << wrong.out;
  }

  // The baseline's head alone on the trained LLDif's trunk (--backbone-lr 0): the trunk's weights stay the
  // LLformer's, weight for weight, while the head learns.
  {
    const std::string frozen = (dir / "plain-frozen.ckpt").string();
    const CliRun r = run("train --stage 2 --variant plain --epochs 1 --stop-at-step 2 --backbone-from " + s2 +
                             " --backbone-lr 0 --out " + frozen + common,
                         true);
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "learns at 0 x")) << r.out;
    lldif::LoadedCheckpoint got = lldif::loadCheckpoint(frozen), from = lldif::loadCheckpoint(s2),
                            check = lldif::loadCheckpoint(frozen);
    lldif::loadBackboneIntoPlain(check.net->plain, from.net->llformer);
    int total = 0;
    const int equal = trunkParametersEqual(got.net->plain, check.net->plain, total);
    EXPECT_GT(total, 0);
    EXPECT_EQ(equal, total);
  }

  // Stage 2 of the trained model with the new cycle's trunk swapped in (the LLformer kept): with the trunk's
  // learning rate at 0 the result's trunk is the new cycle's, weight for weight, and no longer the one the
  // model had (the baseline's, which stage 1 took with --backbone-lr 0); without --init it is refused.
  {
    const std::string swapped = (dir / "s2-swapped.ckpt").string();
    const CliRun r = run("train --stage 2 --epochs 1 --stop-at-step 1 --init " + s2 + " --backbone-from " +
                             again + " --backbone-lr 0 --out " + swapped + common,
                         true);
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "residual trunk replaced by the plain baseline's")) << r.out;
    lldif::LoadedCheckpoint source = lldif::loadCheckpoint(again), got = lldif::loadCheckpoint(swapped),
                            before = lldif::loadCheckpoint(s2), check = lldif::loadCheckpoint(again);
    // The LLformer's trunk parameters that equal the source's.
    const auto trunkEqualToSource = [&](lldif::LLformer& llformer, int& total) {
      lldif::loadBackboneIntoPlain(check.net->plain, llformer);
      return trunkParametersEqual(source.net->plain, check.net->plain, total);
    };
    int total = 0;
    const int after_swap = trunkEqualToSource(got.net->llformer, total);
    EXPECT_GT(total, 0);
    EXPECT_EQ(after_swap, total);
    const int before_swap = trunkEqualToSource(before.net->llformer, total);
    EXPECT_LT(before_swap, total);
    const CliRun fresh = run("train --stage 2 --epochs 1 --backbone-from " + again + " --out " +
                                 (dir / "s2-no-init.ckpt").string() + common,
                             true);
    EXPECT_NE(fresh.code, 0);
    EXPECT_TRUE(contains(fresh.out, "pass --init FILE")) << fresh.out;
  }

  // Knowledge distillation: stage 2 toward the trained stage-2 model and the baseline (their probabilities
  // on the clear faces and mirror images, blended with the votes), paused and resumed: the teachers'
  // probabilities are computed once and read back on resume; the checkpoint records the teachers.
  {
    const std::string kd = (dir / "kd.ckpt").string();
    const std::string kd_cmd = "train --stage 2 --epochs 1 --init " + s1 + " --teacher " + s2 +
                               " --teacher " + plain + " --teacher-weight 0.7 --out " + kd + common;
    const CliRun first = run(kd_cmd + " --stop-at-step 2", true);
    ASSERT_EQ(first.code, 0) << first.out;
    EXPECT_TRUE(contains(first.out, "teachers agree with the votes' top class on")) << first.out;
    EXPECT_TRUE(contains(first.out, "0.30 x votes + 0.70 x teachers")) << first.out;
    EXPECT_TRUE(contains(first.out, "ETA")) << first.out;
    ASSERT_TRUE(fs::exists(kd + ".run/teacher.pt"));
    const CliRun second = run(kd_cmd, true);
    ASSERT_EQ(second.code, 0) << second.out;
    EXPECT_TRUE(contains(second.out, "teachers' probabilities from")) << second.out;
    EXPECT_TRUE(contains(second.out, "stage 2 finished in")) << second.out;
    const std::string teachers = lldif::loadCheckpoint(kd).meta.info["stage2.teachers"];
    EXPECT_TRUE(contains(teachers, "s2.ckpt, plain.ckpt (weight 0.70")) << teachers;
    // A teacher rewritten with other weights under the same name is read again on resume, and so is an
    // unreadable cache; the same weights copied again are not.
    const fs::path t = dir / "teacher-copy.ckpt";
    fs::copy_file(s2, t);
    const std::string t_cmd = "train --stage 2 --epochs 1 --init " + s1 + " --teacher " + t.string() +
                              " --out " + (dir / "kd2.ckpt").string() + common;
    ASSERT_EQ(run(t_cmd + " --stop-at-step 1", true).code, 0);
    fs::copy_file(s2, t, fs::copy_options::overwrite_existing);
    const CliRun same = run(t_cmd + " --stop-at-step 2", true);
    EXPECT_TRUE(contains(same.out, "teachers' probabilities from")) << same.out;
    fs::copy_file(plain, t, fs::copy_options::overwrite_existing);
    const CliRun other = run(t_cmd + " --stop-at-step 3", true);
    ASSERT_EQ(other.code, 0) << other.out;
    EXPECT_FALSE(contains(other.out, "teachers' probabilities from")) << other.out;
    EXPECT_TRUE(contains(other.out, "teachers agree")) << other.out;
    std::ofstream(dir / "kd2.ckpt.run" / "teacher.pt") << "not a tensor";
    const CliRun garbled = run(t_cmd + " --stop-at-step 4", true);
    ASSERT_EQ(garbled.code, 0) << garbled.out;
    EXPECT_FALSE(contains(garbled.out, "teachers' probabilities from")) << garbled.out;

    // A stage-1 checkpoint is no teacher (its prior comes from the label).
    const CliRun untrained = run(
        "train --stage 2 --epochs 1 --init " + s1 + " --teacher " + s1 + " --out " + kd + "x" + common, true);
    EXPECT_EQ(untrained.code, 1) << untrained.out;
    EXPECT_TRUE(contains(untrained.out, "s1.ckpt is not a trained model")) << untrained.out;
  }

  // The standalone trainer (LibTorch only, for GPU machines) trains the same weights from the same command.
  {
    const std::string s2_alone = (dir / "s2-alone.ckpt").string();
    const lldif::test::CliRun r = lldif::test::runProgram(
        LLDIF_TRAIN, "--stage 2 --epochs 1 --init " + s1 + common + " --out " + s2_alone, true);
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "stage 2 finished in")) << r.out;
    const auto a = lldif::loadCheckpoint(s2).net->named_parameters(),
               b = lldif::loadCheckpoint(s2_alone).net->named_parameters();
    ASSERT_EQ(a.size(), b.size());
    for (const auto& p : a) EXPECT_TRUE(torch::equal(p.value(), b[p.key()])) << p.key();
    EXPECT_EQ(lldif::loadCheckpoint(s2_alone).meta.alignment_template.size(), 136u);
  }

  // Data-parallel training (--threads 2: each batch as two parts side by side, one thread each) repeats
  // exactly with the same seed, stage 2's noise and the baseline's dropout included.
  for (const std::string& args : {"train --stage 2 --epochs 1 --init " + s1,
                                  std::string("train --stage 2 --variant plain --epochs 1")}) {
    std::vector<lldif::LoadedCheckpoint> twice;
    for (const std::string tag : {"a", "b"}) {
      const std::string out = (dir / ("parts-" + tag + ".ckpt")).string();
      const CliRun r = run(args + " --pack " + pack + " --batch 4 --threads 2 --lr 1e-3 --out " + out, true);
      ASSERT_EQ(r.code, 0) << args << "\n" << r.out;
      EXPECT_TRUE(contains(r.out, "each batch runs as 2 parts side by side")) << r.out;
      twice.push_back(lldif::loadCheckpoint(out));
      fs::remove_all(out + ".run");
    }
    const auto a = twice[0].net->named_parameters(), b = twice[1].net->named_parameters();
    ASSERT_EQ(a.size(), b.size());
    for (const auto& p : a) EXPECT_TRUE(torch::equal(p.value(), b[p.key()])) << args << ": " << p.key();
    const auto ab = twice[0].net->named_buffers(), bb = twice[1].net->named_buffers();
    for (const auto& t : ab) EXPECT_TRUE(torch::equal(t.value(), bb[t.key()])) << args << ": " << t.key();
  }

  // --backbone-lr 0 kept stage 1's residual trunk exactly the baseline's while the rest of the LLformer
  // learnt (its DTNet output projections start at zero); with one rate for all, stage 1 moves the trunk.
  {
    const std::string s1_all = (dir / "s1-all.ckpt").string();
    const CliRun r = run(
        "train --stage 1 --epochs 1 --init " + s0 + " --backbone-from " + plain + " --out " + s1_all + common,
        true);
    ASSERT_EQ(r.code, 0) << r.out;
    const lldif::LoadedCheckpoint base = lldif::loadCheckpoint(plain), kept = lldif::loadCheckpoint(s1),
                                  moved = lldif::loadCheckpoint(s1_all);
    const torch::Tensor w_base = base.net->plain->named_parameters()["blocks.2.conv1.weight"];
    const auto pk = kept.net->llformer->named_parameters(), pm = moved.net->llformer->named_parameters();
    EXPECT_TRUE(torch::equal(pk["res2.0.conv1.weight"], w_base));
    EXPECT_FALSE(torch::equal(pm["res2.0.conv1.weight"], w_base));
    EXPECT_GT(pk["dtnet.1.dmnet.project.weight"].abs().sum().item<double>(), 0.0);

    // The same with a class-balanced loss (--class-balance): it logs its weights and trains other weights.
    const std::string s1_bal = (dir / "s1-balanced.ckpt").string();
    const CliRun rb = run("train --stage 1 --epochs 1 --class-balance 0.5 --init " + s0 +
                              " --backbone-from " + plain + " --out " + s1_bal + common,
                          true);
    ASSERT_EQ(rb.code, 0) << rb.out;
    EXPECT_TRUE(contains(rb.out, "class weights:")) << rb.out;
    const auto pb = lldif::loadCheckpoint(s1_bal).net->llformer->named_parameters();
    double diff = 0;
    for (const auto& p : pm) diff += (p.value() - pb[p.key()]).abs().sum().item<double>();
    EXPECT_GT(diff, 0.0) << "the balanced loss changed nothing";
    EXPECT_EQ(run("train --stage 1 --class-balance 2" + common + " --out " + s1_bal, true).code, 105);
  }

  // The trained stage-2 model evaluates with the official rule and writes its report.
  const fs::path report = dir / "report";
  const fs::path json_file = dir / "eval.json";
  const CliRun ev = run("eval " + (root / "FER2013Valid").string() + " --model " + s2 + " --json " +
                            json_file.string() + " --report " + report.string(),
                        true);
  ASSERT_EQ(ev.code, 0) << ev.out;
  const auto j = nlohmann::json::parse(readFile(json_file));
  EXPECT_EQ(j["images"].get<int>(), static_cast<int>(files.size()));
  EXPECT_GE(j["accuracy"].get<double>(), 0.0);
  EXPECT_LE(j["accuracy"].get<double>(), 1.0);
  EXPECT_EQ(j["confusion"].size(), 8u);
  {  // the mean per-class recall is the mean over the classes that have images
    double sum = 0;
    int classes = 0;
    for (std::size_t t = 0; t < 8; ++t) {
      int n = 0;
      for (const auto& c : j["confusion"][t]) n += c.get<int>();
      if (n == 0) continue;
      sum += j["recall"][lldif::kClassNames[t]].get<double>();
      ++classes;
    }
    ASSERT_GT(classes, 0);
    EXPECT_NEAR(j["mean_recall"].get<double>(), sum / classes, 1e-12);
    EXPECT_TRUE(contains(ev.out, "mean per-class recall")) << ev.out;
  }
  for (const char* f : {"confusion.png", "confidence.png", "per_image.csv"}) {
    EXPECT_TRUE(fs::exists(report / f)) << f;
  }
  const std::string csv = readFile(report / "per_image.csv");
  EXPECT_EQ(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')), files.size() + 1) << csv;
  // A robustness sweep: the unchanged images first, then each kind given, in the JSON and as a chart.
  const fs::path rob = dir / "robustness";
  const CliRun sweep = run("eval " + (root / "FER2013Valid").string() + " --model " + s2 +
                               " --perturb blur sunglasses --json " + (dir / "rob.json").string() +
                               " --report " + rob.string(),
                           true);
  ASSERT_EQ(sweep.code, 0) << sweep.out;
  const auto rj = nlohmann::json::parse(readFile(dir / "rob.json"))["robustness"];
  ASSERT_EQ(rj.size(), 3u) << rj.dump();
  for (std::size_t i = 0; i < rj.size(); ++i) {
    EXPECT_EQ(rj[i]["perturbation"], std::vector<std::string>({"none", "blur", "sunglasses"})[i]);
    EXPECT_EQ(rj[i]["images"].get<int>(), static_cast<int>(files.size()));
  }
  EXPECT_DOUBLE_EQ(rj[0]["accuracy"].get<double>(), j["accuracy"].get<double>()) << "none = the plain eval";
  EXPECT_TRUE(contains(sweep.out, "sunglasses")) << sweep.out;
  // Three passes over the folder: each pass's progress says which it is, with the whole sweep's ETA.
  EXPECT_TRUE(contains(sweep.out, "pass 3/3, all passes ETA")) << sweep.out;
  const cv::Mat chart = cv::imread((rob / "robustness.png").string());
  EXPECT_FALSE(chart.empty()) << "robustness.png";
  const CliRun mixed =
      run("eval " + (root / "FER2013Valid").string() + " --model " + s2 + " --perturb all --steps 1", true);
  EXPECT_NE(mixed.code, 0) << mixed.out;
  EXPECT_TRUE(contains(mixed.out, "takes DIR alone")) << mixed.out;
  const CliRun pred =
      run("predict --model " + s2 + " " + lldif::test::faceImage("portrait-020.jpg").string(), true);
  EXPECT_EQ(pred.code, 0) << pred.out;
  EXPECT_FALSE(contains(pred.out, "UNTRAINED")) << pred.out;

  // Bad input: a clear message and a failing exit status, never a crash.
  const CliRun no_init = run("train --stage 1 --out " + (dir / "x.ckpt").string() + common, true);
  EXPECT_EQ(no_init.code, 1) << no_init.out;
  EXPECT_TRUE(contains(no_init.out, "starts from the checkpoint of stage 0")) << no_init.out;
  const std::string photo = lldif::test::faceImage("portrait-020.jpg").string();
  const CliRun not_pack =
      run("train --stage 2 --variant plain --out " + (dir / "y.ckpt").string() + " --pack " + photo, true);
  EXPECT_EQ(not_pack.code, 1) << not_pack.out;
  EXPECT_TRUE(contains(not_pack.out, "portrait-020.jpg")) << not_pack.out;
  const CliRun not_ferplus = run(
      "prepare " + (lldif::test::resourcesDir() / "demo").string() + " " + (dir / "z.pack").string(), true);
  EXPECT_EQ(not_ferplus.code, 1) << not_ferplus.out;
  EXPECT_TRUE(contains(not_ferplus.out, "is not a FERPlus folder")) << not_ferplus.out;
}

// The option names of a --help text: every word that starts with "--" at the start of a line's text.
std::vector<std::string> optionNames(const std::string& help) {
  std::vector<std::string> names;
  std::istringstream in(help);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string w;
    words >> w;
    if (w.rfind("-h,", 0) == 0) continue;
    if (w.rfind("--", 0) == 0 && w != "--help") names.push_back(w);
  }
  return names;
}

std::vector<std::string> neededLibraries(const std::string& program) {
  const CliRun r = lldif::test::runProgram("readelf", "-d " + program, true);
  std::vector<std::string> libs;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (contains(line, "(NEEDED)")) libs.push_back(line.substr(line.find('[') + 1));
  return libs;
}

TEST(TrainTool, LinksLibTorchAloneTakesTheSameOptionsAndExplainsBadOnes) {
  // Its own dependencies are LibTorch's (Debian's LibTorch itself pulls in OpenCV; a PyTorch one does not).
  const auto own = neededLibraries(LLDIF_TRAIN), full = neededLibraries(LLDIF_CLI);
  ASSERT_FALSE(own.empty());
  for (const auto& lib : own) {
    for (const char* foreign : {"opencv", "dlib", "Qt", "json"}) EXPECT_FALSE(contains(lib, foreign)) << lib;
  }
  EXPECT_TRUE(
      std::any_of(full.begin(), full.end(), [](const std::string& l) { return contains(l, "opencv"); }));

  const CliRun help = lldif::test::runProgram(LLDIF_TRAIN, "--help");
  EXPECT_EQ(help.code, 0);
  const auto names = optionNames(help.out);
  EXPECT_GE(names.size(), 19u) << help.out;
  EXPECT_EQ(names, optionNames(run("train --help").out));
  EXPECT_TRUE(contains(lldif::test::runProgram(LLDIF_TRAIN, "--version").out, "lldif-train "));

  // Bad command lines: exit status 2 and what is wrong; a bad file: status 1 and its name.
  const std::pair<std::string, std::string> bad[] = {
      {"--stage 5 --pack p --out o", "--stage: '5' is not a stage"},
      {"--pack p --out o", "--stage is required"},
      {"--stage 2 --pack p --out o --bogus", "unknown option '--bogus'"},
      {"--stage 2 --out o --pack", "--pack needs a value"},
      {"--stage 2 --pack p --out o --epochs 2x", "--epochs: '2x' is not a number of epochs"},
      {"--stage 2 --pack p --out o --device tpu", "--device: 'tpu' is not auto, cpu or cuda"},
      {"--stage 2 --pack p --out o --seed=-3", "--seed: '-3' is not a seed"},
      {"--stage 2 --pack p --out o --seed 7x", "--seed: '7x' is not a seed"},
      {"--stage=2 --pack=p --out=o --clear-landmarks=1", "--clear-landmarks takes no value"},
      {"--stage 2 --pack p --out o --erase-max 0.5", "--erase-max does nothing without --erase"},
      {"--stage 2 --pack p --out o --teacher-weight 0.3", "--teacher-weight does nothing without --teacher"}};
  for (const auto& [args, message] : bad) {
    const CliRun r = lldif::test::runProgram(LLDIF_TRAIN, args, true);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
    EXPECT_TRUE(contains(r.out, message)) << args << "\n" << r.out;
  }
  const CliRun missing = lldif::test::runProgram(
      LLDIF_TRAIN, "--stage 2 --variant plain --pack /no/such.pack --out /tmp/x.ckpt", true);
  EXPECT_EQ(missing.code, 1) << missing.out;
  EXPECT_TRUE(contains(missing.out, "Face pack not found: /no/such.pack")) << missing.out;
  // lldif train reports the same checks through its own parser.
  const CliRun full_bad = run("train --stage 2 --pack p --out o --lr abc", true);
  EXPECT_NE(full_bad.code, 0);
  EXPECT_TRUE(contains(full_bad.out, "--lr: 'abc' is not a learning rate")) << full_bad.out;
  // An option that needs another is refused without it there too, rather than silently doing nothing.
  const CliRun lone = run("train --stage 2 --pack p --out o --erase-max 0.5", true);
  EXPECT_NE(lone.code, 0);
  EXPECT_TRUE(contains(lone.out, "--erase-max requires --erase")) << lone.out;
}

}  // namespace
