// Runs the real `lldif` executable and checks what it prints and writes.
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "cli_run.h"
#include "core/blas_kernels.h"
#include "core/lowlight.h"
#include "test_support.h"

namespace {

using lldif::test::CliRun;
using lldif::test::run;

TEST(Cli, VersionAndHelp) {
  const CliRun v = run("--version");
  EXPECT_EQ(v.code, 0);
  EXPECT_NE(v.out.find("lldif "), std::string::npos);
  for (const char* cmd : {"faces", "darken", "enhance", "bench", "template", "predict", "init-model",
                          "prepare", "train", "average", "eval"}) {
    const CliRun h = run(std::string(cmd) + " --help");
    EXPECT_EQ(h.code, 0) << cmd;
    EXPECT_NE(h.out.find("Usage"), std::string::npos) << cmd;
  }
  EXPECT_NE(run("").code, 0);
}

TEST(Cli, FacesPrintsJsonWithBoxesAndLandmarks) {
  const std::string img = lldif::test::faceImage("portrait-020.jpg").string();
  const CliRun r = run("faces --json " + img);
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  ASSERT_EQ(j[0]["faces"].size(), 1u);
  EXPECT_EQ(j[0]["faces"][0]["landmarks"].size(), 68u);
  EXPECT_LT(std::abs(j[0]["faces"][0]["eye_angle_deg"].get<double>()), 15.0);
  EXPECT_EQ(j[0]["width"], 500);
}

TEST(Cli, FacesReportsMissingAndBrokenFilesAndGoesOn) {
  lldif::test::TempDir dir;
  {
    std::FILE* f = std::fopen((dir / "bad.jpg").c_str(), "w");
    std::fputs("nope", f);
    std::fclose(f);
  }
  const CliRun r = run("faces " + (dir / "bad.jpg").string() + " /no/such.png " +
                           lldif::test::faceImage("portrait-005.jpg").string(),
                       true);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("bad.jpg"), std::string::npos);
  EXPECT_NE(r.out.find("No such file: /no/such.png"), std::string::npos);
  EXPECT_NE(r.out.find("1 face"), std::string::npos);
}

TEST(Cli, FacesAndPredictReadEveryImageOfAFolder) {
  // A folder stands for its images, in name order; a folder without images is an error, the rest goes on.
  lldif::test::TempDir dir, empty;
  for (const char* name : {"portrait-020.jpg", "portrait-005.jpg"})
    std::filesystem::copy_file(lldif::test::faceImage(name), dir / name);
  {
    std::FILE* f = std::fopen((dir / "notes.txt").c_str(), "w");  // not an image: not listed
    std::fputs("nope", f);
    std::fclose(f);
  }
  const CliRun faces = run("faces --json " + dir.path().string());
  ASSERT_EQ(faces.code, 0) << faces.out;
  const auto j = nlohmann::json::parse(faces.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["file"], (dir / "portrait-005.jpg").string());
  EXPECT_EQ(j[1]["file"], (dir / "portrait-020.jpg").string());
  for (const auto& image : j) EXPECT_EQ(image["faces"].size(), 1u) << image["file"];
  const CliRun predict = run("predict --json " + dir.path().string() + " " + empty.path().string(), true);
  EXPECT_EQ(predict.code, 2) << predict.out;
  const std::string no_images = empty.path().string() + " holds no image files";
  const auto at = predict.out.find(no_images);
  EXPECT_NE(at, std::string::npos) << predict.out;
  EXPECT_EQ(predict.out.find("error: ", predict.out.find("error: ") + 1), std::string::npos)
      << "the folder is reported once: " << predict.out;
  EXPECT_NE(predict.out.find("portrait-020.jpg"), std::string::npos) << predict.out;
  EXPECT_NE(predict.out.find("portrait-005.jpg"), std::string::npos) << predict.out;
}

TEST(Cli, DarkenWritesADarkerImage) {
  lldif::test::TempDir dir;
  const std::string in = lldif::test::faceImage("portrait-005.jpg").string();
  const std::string out = (dir / "dark.png").string();
  ASSERT_EQ(run("darken --level xll " + in + " " + out).code, 0);
  const cv::Mat a = cv::imread(in), b = cv::imread(out);
  ASSERT_FALSE(b.empty());
  EXPECT_LT(lldif::meanLuminance(b), 0.25 * lldif::meanLuminance(a));
  ASSERT_EQ(run("darken --ev 2 --read-noise 1 --cast 0.9,0.8 " + in + " " + out).code, 0);
  EXPECT_NE(run("darken --level ll --ev 2 " + in + " " + out).code, 0);  // exclusive
  EXPECT_NE(run("darken --level dim " + in + " " + out).code, 0);
  EXPECT_NE(run("darken --level ll /no/such.png " + out).code, 0);
}

TEST(Cli, PredictRunsTheRealNetworkAndSaysWhenItIsUntrained) {
  lldif::test::TempDir dir;
  const std::string model = (dir / "untrained.ckpt").string();
  ASSERT_EQ(run("init-model " + model).code, 0);
  const std::string img = lldif::test::faceImage("portrait-020.jpg").string();
  const CliRun r = run("predict --json --noise-seeds 3 --model " + model + " " + img);
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j[0]["faces"].size(), 1u);
  const auto& probs = j[0]["faces"][0]["probabilities"];
  ASSERT_EQ(probs.size(), 8u);
  double sum = 0;
  for (const auto& [k, v] : probs.items()) sum += v.get<double>();
  EXPECT_NEAR(sum, 1.0, 1e-3);
  EXPECT_EQ(j[0]["faces"][0]["spread"].size(), 8u);
  // Each face is read with its mirror image by default; --no-flip reads it once, and reads it differently.
  EXPECT_TRUE(j[0]["flip_average"].get<bool>());
  const CliRun once = run("predict --json --no-flip --noise-seeds 3 --model " + model + " " + img);
  ASSERT_EQ(once.code, 0) << once.out;
  const auto o = nlohmann::json::parse(once.out);
  EXPECT_FALSE(o[0]["flip_average"].get<bool>());
  double differs = 0;
  for (const auto& [k, v] : probs.items())
    differs += std::abs(v.get<double>() - o[0]["faces"][0]["probabilities"][k].get<double>());
  EXPECT_GT(differs, 1e-6);
  // --shift-average PX also reads the face shifted (off by default), and says so; 9 pixels is refused.
  EXPECT_EQ(j[0]["shift_average_px"].get<int>(), 0);
  const CliRun shifted = run("predict --json --shift-average 2 --noise-seeds 3 --model " + model + " " + img);
  ASSERT_EQ(shifted.code, 0) << shifted.out;
  const auto sh = nlohmann::json::parse(shifted.out);
  EXPECT_EQ(sh[0]["shift_average_px"].get<int>(), 2);
  double shift_differs = 0;
  for (const auto& [k, v] : probs.items())
    shift_differs += std::abs(v.get<double>() - sh[0]["faces"][0]["probabilities"][k].get<double>());
  EXPECT_GT(shift_differs, 1e-6);
  EXPECT_NE(run("predict --shift-average 9 --model " + model + " " + img, true).code, 0);
  const CliRun text = run("predict --model " + model + " " + img, true);
  EXPECT_NE(text.out.find("UNTRAINED"), std::string::npos);
  EXPECT_EQ(run("predict --model " + img + " " + img).code, 1);  // not a checkpoint
  const CliRun none = run("predict --model /no/model.ckpt " + img, true);
  EXPECT_NE(none.out.find("not found"), std::string::npos);
}

}  // namespace

TEST(Cli, BenchTimesTheViewersProcessorOnARealVideoAsJson) {
  lldif::test::TempDir dir;
  lldif::test::writeTestVideo(dir / "clip.avi",
                              cv::imread(lldif::test::faceImage("portrait-005.jpg").string()), 12, 30.0);
  const CliRun r = run("bench --source " + (dir / "clip.avi").string() + " --frames 10 --mode compare");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["frames"], 10);
  EXPECT_EQ(j["mode"], "compare");
  EXPECT_GE(j["frames_with_face"].get<int>(), 8);
  for (const char* s : {"darken", "detect", "landmarks", "align", "model", "total"}) {
    ASSERT_TRUE(j["stages"].contains(s)) << s;
    EXPECT_GE(j["stages"][s]["p95_ms"].get<double>(), j["stages"][s]["median_ms"].get<double>()) << s;
  }
  EXPECT_GT(j["stages"]["model"]["median_ms"].get<double>(), 0.0);
  EXPECT_GT(j["stages"]["darken"]["median_ms"].get<double>(), 0.0);
  EXPECT_TRUE(j["keeps_up"].is_boolean());
  // OpenBLAS runs kernels this CPU can run: on CPUs newer than Debian's OpenBLAS it chose its SSE3
  // "Prescott" ones, 3x slower, until lldif started forcing better ones (core/blas_kernels.h).
  const std::string blas = j["blas"].get<std::string>();
  if (blas.rfind("OpenBLAS ", 0) == 0) {
    const std::string core = blas.substr(9, blas.find(' ', 9) - 9);
    EXPECT_FALSE(lldif::blasCoreOverride(core.c_str(), lldif::cpuVectorFeatures())) << blas;
  } else {
    EXPECT_EQ(blas, "not OpenBLAS");
  }
  EXPECT_EQ(j["model_threads"], 0);
  // The model on one thread (a single face's branches not overlapped): the same JSON, its threads said.
  const CliRun one =
      run("bench --source " + (dir / "clip.avi").string() + " --frames 3 --mode clear --threads 1");
  ASSERT_EQ(one.code, 0) << one.out;
  const auto j1 = nlohmann::json::parse(one.out);
  EXPECT_EQ(j1["model_threads"], 1);
  EXPECT_GT(j1["stages"]["model"]["median_ms"].get<double>(), 0.0);
  // A source that does not exist: a message, not a crash.
  const CliRun bad = run("bench --source /no/such.mp4 --frames 3", true);
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.out.find("/no/such.mp4"), std::string::npos);
}
