// The explorer window under Xvfb (Mesa's software OpenGL): scripted state changes show exactly what
// `generate` renders, the texture really holds those pixels, the panels are laid out, frames keep coming
// while a slow render is in flight, and sessions round-trip.
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/io/image.h"
#include "tests/cli/cli_harness.h"

namespace stylescope::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string xvfb(int w = 1280, int h = 800) {
  return "xvfb-run -a -s '-screen 0 " + std::to_string(w) + "x" + std::to_string(h) + "x24'";
}

class GuiTest : public CliTest {
 protected:
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  void write(const std::string& name, const std::string& text) const { std::ofstream(path(name)) << text; }
  json read_json(const std::string& name) const {
    std::ifstream in(path(name));
    return json::parse(in);
  }
  // Runs the window on the fixture with a script and the scripted outputs in dir_.
  RunResult window(const std::string& script, std::vector<std::string> extra = {}, int w = 1280,
                   int h = 800) {
    write("script.json", script);
    std::vector<std::string> args = {"gui",
                                     "--model",
                                     kFixtures + "/skip_rgb32.pkl",
                                     "--threads",
                                     "2",
                                     "--script",
                                     path("script.json"),
                                     "--save-view",
                                     path("view.png"),
                                     "--save-texture",
                                     path("texture.png"),
                                     "--screenshot",
                                     path("window.png"),
                                     "--layout",
                                     path("layout.json"),
                                     "--size",
                                     std::to_string(w) + "x" + std::to_string(h)};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args, xvfb(w, h));
  }
  std::vector<uint8_t> pixels(const std::string& file) const { return read_image(file).pixels; }
};

TEST_F(GuiTest, ScriptedStateShowsExactlyWhatGenerateRenders) {
  auto r = window(R"([{"set": {"latent": {"x": 7}}}, {"wait": "render"},
                      {"set": {"truncation": {"psi": 0.6}}},
                      {"set": {"mixing": {"enabled": true, "seed": 3, "layers": [0, 1, 2, 3]}}},
                      {"wait": "render"}])");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto g = run({"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--threads", "2", "--seeds", "7",
                "--trunc", "0.6", "--mix-seed", "3", "--styles", "0-3", "--out", path("gen")});
  ASSERT_EQ(g.exit_code, 0) << g.output;
  const auto view = pixels(path("view.png"));
  EXPECT_EQ(view, pixels(path("gen/seed0007.png")));
  // What OpenGL holds in the view texture is the model's output, pixel for pixel.
  EXPECT_EQ(pixels(path("texture.png")), view);
  // And it differs from the unmixed image: the script really changed the state.
  auto plain = run({"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--threads", "2", "--seeds", "7",
                    "--trunc", "0.6", "--out", path("plain")});
  ASSERT_EQ(plain.exit_code, 0);
  EXPECT_NE(view, pixels(path("plain/seed0007.png")));
}

void expect_layout(const json& layout, float width, float height) {
  const json& w = layout.at("windows");
  for (const char* name : {"Explore", "Inspect", "##view", "##status"}) ASSERT_TRUE(w.contains(name)) << name;
  const auto left = w.at("Explore"), right = w.at("Inspect"), view = w.at("##view");
  // Side panels down both sides, the view between them, nothing off screen.
  EXPECT_EQ(left[0].get<float>(), 0);
  EXPECT_NEAR(right[0].get<float>() + right[2].get<float>(), width, 1);
  EXPECT_NEAR(view[0].get<float>(), left[2].get<float>(), 1);
  EXPECT_NEAR(view[0].get<float>() + view[2].get<float>(), right[0].get<float>(), 1);
  EXPECT_GT(view[2].get<float>(), width * 0.45f);
  EXPECT_NEAR(w.at("##status")[1].get<float>() + w.at("##status")[3].get<float>(), height, 1);
  // The image is large and centred in the view.
  const auto img = layout.at("image");
  const float cx = img[0].get<float>() + img[2].get<float>() / 2,
              vx = view[0].get<float>() + view[2].get<float>() / 2;
  EXPECT_NEAR(cx, vx, 2);
  EXPECT_GT(std::min(img[2].get<float>(), img[3].get<float>()),
            std::min(view[2].get<float>(), view[3].get<float>()) * 0.8f);
  const std::vector<std::string> panels = layout.at("panels");
  for (const char* p : {"Model", "Latent", "Truncation and noise", "Style mixing", "Fine-tune", "Timeline",
                        "Layers", "Performance", "Capture"})
    EXPECT_NE(std::find(panels.begin(), panels.end(), p), panels.end()) << p;
}

TEST_F(GuiTest, PanelsAreLaidOutAroundALargeCentredImage) {
  for (auto [w, h] : {std::pair{1280, 800}, {1920, 1080}}) {
    auto r = window(R"([{"wait": "render"}])", {}, w, h);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_layout(read_json("layout.json"), static_cast<float>(w), static_cast<float>(h));
    Image8 shot = read_image(path("window.png"));
    EXPECT_EQ(shot.width, w);
    EXPECT_EQ(shot.height, h);
  }
}

TEST_F(GuiTest, FramesKeepComingWhileASlowRenderIsInFlight) {
  auto r = window(R"([{"set": {"latent": {"x": 3}}}, {"wait": "render"}])",
                  {"--debug-render-delay-ms", "1500", "--stats", path("stats.json")});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json stats = read_json("stats.json");
  // Two renders of 1.5 s each: at ~60 UI frames a second, far more than a handful of frames were drawn while
  // the worker was busy (a UI thread waiting on the model would draw about none).
  EXPECT_GE(stats.at("frames_while_rendering").get<int>(), 20) << stats.dump();
  // Rendering on the CPU, images reach the texture through host memory.
  EXPECT_EQ(stats.at("display").get<std::string>(), "PBO upload");
}

TEST_F(GuiTest, RequiredInteropWithoutAGpuIsAOneLineError) {
  // CI renders on the CPU (and builds without CUDA): --display interop cannot be honoured, and says why
  // rather than silently showing images through host memory. scripts/device/check covers the GPU side.
  auto r =
      run({"gui", "--model", kFixtures + "/skip_rgb32.pkl", "--display", "interop", "--exit-after-render"},
          xvfb());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--display interop"), std::string::npos) << r.output;
  auto pbo = window(R"([{"set": {"latent": {"x": 4}}}, {"wait": "render"}])", {"--display", "pbo"});
  ASSERT_EQ(pbo.exit_code, 0) << pbo.output;
  EXPECT_EQ(pixels(path("view.png")), pixels(path("texture.png")));
}

TEST_F(GuiTest, ADirectionSliderShowsWhatEditRenders) {
  const std::string dirs = path("dirs.npy");
  auto d = run({"directions", "--model", kFixtures + "/skip_rgb32.pkl", "--method", "sefa", "--k", "3",
                "--out", dirs});
  ASSERT_EQ(d.exit_code, 0) << d.output;
  auto e =
      run({"edit", "--model", kFixtures + "/skip_rgb32.pkl", "--threads", "2", "--seeds", "12",
           "--directions", dirs, "--index", "1", "--range", "-3:3", "--steps", "7", "--out", path("edit")});
  ASSERT_EQ(e.exit_code, 0) << e.output;
  // Step 5 of -3..3 in 7 steps is alpha = 2.
  auto r = window(R"([{"set": {"latent": {"x": 12}, "directions": {"file": ")" + dirs +
                  R"(", "alphas": {"1": 2.0}}}}, {"wait": "render"}])");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(pixels(path("view.png")), pixels(path("edit/seed0012_d01_05.png")));
  EXPECT_NE(pixels(path("view.png")), pixels(path("edit/seed0012_d01_03.png")));  // alpha 0
  const std::vector<std::string> panels = read_json("layout.json").at("panels");
  EXPECT_NE(std::find(panels.begin(), panels.end(), "Directions"), panels.end());
  // Given a moment, each direction shows its strip of previews (rendered on their own worker).
  auto strips =
      window(R"([{"set": {"latent": {"x": 12}, "directions": {"file": ")" + dirs +
             R"(", "alphas": {"1": 2.0}}}}, {"wait": "render"}, {"wait_ms": 2500}, {"wait": "render"}])");
  ASSERT_EQ(strips.exit_code, 0) << strips.output;
  const std::vector<std::string> with_strips = read_json("layout.json").at("panels");
  EXPECT_NE(std::find(with_strips.begin(), with_strips.end(), "Directions previews"), with_strips.end());
}

TEST_F(GuiTest, LayerViewShowsActivations) {
  auto r = window(R"([{"set": {"view": {"layer": "b16.conv1", "channel": 2}}}, {"wait": "render"}])");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Image8 view = read_image(path("view.png"));
  EXPECT_EQ(view.width, 16);
  EXPECT_EQ(view.channels, 1);
}

TEST_F(GuiTest, SessionsRoundTripAndCorruptOnesKeepTheAppRunning) {
  const std::string session = path("s.json");
  auto r = window(R"([{"set": {"latent": {"x": 11}, "truncation": {"psi": 0.5}}}, {"wait": "render"},
                      {"save_session": ")" +
                  session + R"("}])");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto saved_view = pixels(path("view.png"));
  // Open the saved session: the same image.
  auto again = run({"gui", "--threads", "2", "--session", session, "--exit-after-render", "--save-view",
                    path("view2.png")},
                   xvfb());
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(pixels(path("view2.png")), saved_view);
  // A corrupt session loaded from the running app: an error in the status bar, the image stays.
  write("bad.json", "{\"version\": 1, \"latent\": [");
  auto bad = window(R"([{"set": {"latent": {"x": 11}, "truncation": {"psi": 0.5}}}, {"wait": "render"},
                        {"load_session": ")" +
                    path("bad.json") + R"("}, {"wait": "render"}])");
  ASSERT_EQ(bad.exit_code, 0) << bad.output;
  const json layout = read_json("layout.json");
  EXPECT_TRUE(layout.at("status_is_error").get<bool>());
  EXPECT_NE(layout.at("status").get<std::string>().find("bad.json"), std::string::npos);
  EXPECT_EQ(pixels(path("view.png")), saved_view);
  // At start-up, a corrupt --session is a one-line error and exit 2.
  auto startup = run(
      {"gui", "--model", kFixtures + "/skip_rgb32.pkl", "--session", path("bad.json"), "--exit-after-render"},
      xvfb());
  EXPECT_EQ(startup.exit_code, 2);
  EXPECT_NE(startup.output.find("bad.json"), std::string::npos) << startup.output;
}

// Two keys: seed 5, then seed 9 at psi 0.7 (added with the Timeline panel's "Add key" as a script step).
const char* kTwoKeys = R"({"set": {"latent": {"x": 5}}}, {"wait": "render"}, {"add_key": true},
                          {"set": {"latent": {"x": 9}, "truncation": {"psi": 0.7}}}, {"add_key": true},
                          {"set": {"latent": {"x": 1}, "truncation": {"psi": 1.0},
                                   "timeline": {"kind": "linear", "frames_per_key": 3}}})";

// The two keys with 20000 frames per segment, recorded to `out` and cancelled long before the end.
std::string cancelled_recording_script(const std::string& out) {
  return std::string("[") + kTwoKeys + R"(, {"set": {"timeline": {"frames_per_key": 20000}}}, {"record": ")" +
         out + R"("}, {"wait_ms": 300}, {"cancel_record": true}, {"wait": "record"}, {"wait": "render"}])";
}

TEST_F(GuiTest, RecordingTheTimelineWritesEveryFrameFromKeyToKey) {
  const std::string frames = path("frames") + "/";
  auto r = window(std::string("[") + kTwoKeys + R"(, {"record": ")" + frames +
                  R"("}, {"wait": "record"}, {"wait": "render"}])");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json layout = read_json("layout.json");
  EXPECT_FALSE(layout.at("status_is_error").get<bool>()) << layout.at("status");
  EXPECT_EQ(layout.at("state").at("timeline").at("keys").size(), 2u);
  // (K-1)*N + 1 = 4 frames, from exactly the first key's image to exactly the last key's.
  for (int i = 0; i < 4; ++i)
    EXPECT_TRUE(fs::exists(frames + "frame00000" + std::to_string(i) + ".png")) << i;
  EXPECT_FALSE(fs::exists(frames + "frame000004.png"));
  auto a = run({"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--threads", "2", "--seeds", "5",
                "--out", path("a")});
  auto b = run({"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--threads", "2", "--seeds", "9",
                "--trunc", "0.7", "--out", path("b")});
  ASSERT_EQ(a.exit_code, 0) << a.output;
  ASSERT_EQ(b.exit_code, 0) << b.output;
  EXPECT_EQ(pixels(frames + "frame000000.png"), pixels(path("a/seed0005.png")));
  EXPECT_EQ(pixels(frames + "frame000003.png"), pixels(path("b/seed0009.png")));
  EXPECT_NE(pixels(frames + "frame000001.png"), pixels(path("a/seed0005.png")));
  EXPECT_NE(pixels(frames + "frame000001.png"), pixels(path("b/seed0009.png")));
  // A bad output: an error in the status bar naming it, nothing written, the app keeps running.
  auto bad = window(std::string("[") + kTwoKeys + R"(, {"record": ")" + path("out.txt") +
                    R"("}, {"wait": "record"}, {"wait": "render"}])");
  ASSERT_EQ(bad.exit_code, 0) << bad.output;
  const json bad_layout = read_json("layout.json");
  EXPECT_TRUE(bad_layout.at("status_is_error").get<bool>());
  EXPECT_NE(bad_layout.at("status").get<std::string>().find("out.txt"), std::string::npos);
  EXPECT_FALSE(fs::exists(path("out.txt")));
}

TEST_F(GuiTest, RecordingAnMp4AndCancellingOneLeaveOnlyFinishedFiles) {
  const std::string mp4 = path("videos/walk.mp4");
  auto r = window(std::string("[") + kTwoKeys + R"(, {"record": ")" + mp4 +
                  R"("}, {"wait": "record"}, {"wait": "render"}])");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(read_json("layout.json").at("status_is_error").get<bool>());
  EXPECT_GT(fs::file_size(mp4), 0u);
  // 20001 frames: cancelled long before the end, it leaves neither the video nor its temp file.
  const std::string cancelled = path("videos/cancelled.mp4");
  auto c = window(cancelled_recording_script(cancelled));
  ASSERT_EQ(c.exit_code, 0) << c.output;
  EXPECT_EQ(read_json("layout.json").at("status").get<std::string>(), "Recording cancelled");
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(path("videos"))) files.push_back(entry.path().filename());
  EXPECT_EQ(files, std::vector<std::string>({"walk.mp4"}));
}

TEST_F(GuiTest, EachSegmentKeepsItsOwnLengthAndTheCrfReachesTheMp4) {
  // Two keys with loop: 2 frames from key 1 to key 2, then 5 back: 7 frames, key 2 at frame 2.
  const std::string frames = path("frames") + "/";
  auto r = window(std::string("[") + kTwoKeys +
                  R"(, {"set": {"timeline": {"loop": true, "segment_frames": [2, 5]}}}, {"record": ")" +
                  frames + R"("}, {"wait": "record"}, {"wait": "render"}])");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(frames + "frame000006.png"));
  EXPECT_FALSE(fs::exists(frames + "frame000007.png"));
  auto b = run({"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--threads", "2", "--seeds", "9",
                "--trunc", "0.7", "--out", path("b")});
  ASSERT_EQ(b.exit_code, 0) << b.output;
  EXPECT_EQ(pixels(frames + "frame000002.png"), pixels(path("b/seed0009.png")));
  EXPECT_NE(pixels(frames + "frame000003.png"), pixels(path("b/seed0009.png")));
  // The Timeline panel's CRF: lossless is far bigger than the smallest setting.
  for (int crf : {0, 51}) {
    auto v =
        window(std::string("[") + kTwoKeys + R"(, {"set": {"timeline": {"frames_per_key": 30, "crf": )" +
               std::to_string(crf) + R"(}}}, {"record": ")" + path("crf" + std::to_string(crf) + ".mp4") +
               R"("}, {"wait": "record"}, {"wait": "render"}])");
    ASSERT_EQ(v.exit_code, 0) << v.output;
  }
  EXPECT_GT(fs::file_size(path("crf0.mp4")), 2 * fs::file_size(path("crf51.mp4")));
}

TEST_F(GuiTest, ACancelledFrameFolderRecordingLeavesNoFolder) {
  const std::string folder = path("pngs");
  auto c = window(cancelled_recording_script(folder + "/"));
  ASSERT_EQ(c.exit_code, 0) << c.output;
  EXPECT_EQ(read_json("layout.json").at("status").get<std::string>(), "Recording cancelled");
  EXPECT_FALSE(fs::exists(folder));
  // A folder that was there before stays, emptied of the frames the recording wrote.
  fs::create_directories(folder);
  std::ofstream(folder + "/mine.txt") << "keep";
  auto d = window(cancelled_recording_script(folder + "/"));
  ASSERT_EQ(d.exit_code, 0) << d.output;
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(folder)) files.push_back(entry.path().filename());
  EXPECT_EQ(files, std::vector<std::string>({"mine.txt"}));
}

TEST_F(GuiTest, ScrubbingOntoAKeyShowsExactlyThatKey) {
  auto r = window(std::string("[") + kTwoKeys +
                  R"(, {"set": {"timeline": {"preview": true, "position": 3}}}, {"wait": "render"}])");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto b = run({"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--threads", "2", "--seeds", "9",
                "--trunc", "0.7", "--out", path("b")});
  ASSERT_EQ(b.exit_code, 0) << b.output;
  EXPECT_EQ(pixels(path("view.png")), pixels(path("b/seed0009.png")));
  // Between the keys: neither key, and not the current state (seed 1) either.
  auto mid = window(std::string("[") + kTwoKeys +
                    R"(, {"set": {"timeline": {"preview": true, "position": 1}}}, {"wait": "render"}])");
  ASSERT_EQ(mid.exit_code, 0) << mid.output;
  EXPECT_NE(pixels(path("view.png")), pixels(path("b/seed0009.png")));
  auto plain = run({"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--threads", "2", "--seeds", "1",
                    "--out", path("c")});
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_NE(pixels(path("view.png")), pixels(path("c/seed0001.png")));
}

TEST_F(GuiTest, PlayAdvancesTheScrubPositionAndPreviewsThePath) {
  auto r = window(std::string("[") + kTwoKeys + R"(, {"set": {"timeline": {"frames_per_key": 100000,
                  "fps": 60, "playing": true}}}, {"wait_ms": 500}, {"set": {"timeline": {"playing": false}}},
                  {"wait": "render"}])");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json t = read_json("layout.json").at("state").at("timeline");
  EXPECT_GT(t.at("position").get<double>(), 5) << t.dump();
  EXPECT_TRUE(t.at("preview").get<bool>());
}

// Fine-tuning from the window: the run writes its folder, and with "follow" the view shows the model being
// trained — at the end exactly what `generate` renders from the run's last snapshot.
TEST_F(GuiTest, FineTuningFollowsTheTrainedModelInTheView) {
  fs::create_directories(path("data"));
  for (int i = 0; i < 6; ++i) {
    std::vector<uint8_t> px(32 * 32 * 3);
    for (size_t k = 0; k < px.size(); ++k) px[k] = static_cast<uint8_t>((k * (7 + i) + i * 31) & 255);
    write_png(path("data/img" + std::to_string(i) + ".png"), px.data(), 32, 32, 3);
  }
  const json train = {{"data", path("data")}, {"out", path("run")}, {"resume", "current"}, {"kimg", 0.008},
                      {"batch", 4},           {"tick", 0.004},      {"snap", 1},           {"follow", true},
                      {"ms_weight", 0.25}};
  const json script =
      json::array({json{{"train", train}}, json{{"wait", "train"}}, json{{"wait", "render"}}});
  auto r = window(script.dump());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string snapshot = path("run/network-snapshot-000000.safetensors");
  ASSERT_TRUE(exists(snapshot)) << r.output;
  EXPECT_TRUE(exists(path("run/stats.jsonl")));
  EXPECT_DOUBLE_EQ(read_json("run/training_options.json").at("loss_kwargs").at("ms_weight").get<double>(),
                   0.25);
  auto g = run({"generate", "--model", snapshot, "--threads", "2", "--seeds", "0", "--out", path("gen")});
  ASSERT_EQ(g.exit_code, 0) << g.output;
  EXPECT_EQ(pixels(path("view.png")), pixels(path("gen/seed0000.png")));
  // ... which is not the model the window opened: it did train.
  auto before = run({"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--threads", "2", "--seeds", "0",
                     "--out", path("before")});
  ASSERT_EQ(before.exit_code, 0);
  EXPECT_NE(pixels(path("view.png")), pixels(path("before/seed0000.png")));
  const std::vector<std::string> panels = read_json("layout.json").at("panels");
  EXPECT_NE(std::find(panels.begin(), panels.end(), "Fine-tune"), panels.end());
}

// Projection from the window: the panel's job projects a generated image, "Use as latent" writes
// projector.py's files and the view then shows exactly what `generate --w` renders from them.
TEST_F(GuiTest, AProjectionBecomesTheCurrentLatent) {
  auto g = run({"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--threads", "2", "--seeds", "5",
                "--out", path("target")});
  ASSERT_EQ(g.exit_code, 0) << g.output;
  const json project = {
      {"target", path("target/seed0005.png")}, {"steps", 15}, {"vgg16", kFixtures + "/vgg16_fixture.pt"}};
  const json script = json::array({json{{"project", project}}, json{{"wait", "project"}},
                                   json{{"use_projection", path("proj")}}, json{{"wait", "render"}}});
  auto r = window(script.dump());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* f : {"proj/target.png", "proj/proj.png", "proj/projected_w.npz"})
    EXPECT_TRUE(exists(path(f))) << f;
  auto from_w = run({"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--threads", "2", "--w",
                     path("proj/projected_w.npz"), "--out", path("from_w")});
  ASSERT_EQ(from_w.exit_code, 0) << from_w.output;
  EXPECT_EQ(pixels(path("view.png")), pixels(path("from_w/proj00.png")));
  EXPECT_EQ(pixels(path("proj/proj.png")), pixels(path("from_w/proj00.png")));
  // A second projection into the same folder goes to proj-2 (nothing overwritten) and the view follows it.
  const json again = {{"target", path("target/seed0005.png")}, {"steps", 3}};
  const json script2 = json::array({json{{"project", project}}, json{{"wait", "project"}},
                                    json{{"use_projection", path("proj")}}, json{{"project", again}},
                                    json{{"wait", "project"}}, json{{"use_projection", path("proj")}},
                                    json{{"wait", "render"}}});
  fs::remove_all(path("proj"));
  auto r2 = window(script2.dump());
  ASSERT_EQ(r2.exit_code, 0) << r2.output;
  ASSERT_TRUE(exists(path("proj-2/projected_w.npz"))) << r2.output;
  EXPECT_EQ(pixels(path("view.png")), pixels(path("proj-2/proj.png")));
  EXPECT_NE(pixels(path("proj/proj.png")), pixels(path("proj-2/proj.png")));
  const std::vector<std::string> panels = read_json("layout.json").at("panels");
  EXPECT_NE(std::find(panels.begin(), panels.end(), "Projection"), panels.end());
  // A projection step without a target is refused before the window opens.
  auto bad = window(R"([{"project": {"steps": 3}}])");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
}

// The Resolution panel: with the skip sum up to 8x8 chosen, the view shows that coarse image, which is not
// the full image.
TEST_F(GuiTest, TheResolutionPanelShowsTheSkipSum) {
  auto r =
      window(R"([{"set": {"latent": {"x": 3}, "view": {"resolution_usage": true, "skip_sum_resolution": 8}}},
                      {"wait": "render"}])");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto g = run({"generate", "--model", kFixtures + "/skip_rgb32.pkl", "--threads", "2", "--seeds", "3",
                "--out", path("gen")});
  ASSERT_EQ(g.exit_code, 0) << g.output;
  EXPECT_NE(pixels(path("view.png")), pixels(path("gen/seed0003.png")));
  const std::vector<std::string> panels = read_json("layout.json").at("panels");
  EXPECT_NE(std::find(panels.begin(), panels.end(), "Resolution"), panels.end());
}

TEST_F(GuiTest, BadScriptsAndModelsExit2WithOneLine) {
  auto bad_step = window(R"([{"jump": 3}])");
  EXPECT_EQ(bad_step.exit_code, 2);
  EXPECT_NE(bad_step.output.find("unknown step 'jump'"), std::string::npos) << bad_step.output;
  auto bad_model = run({"gui", "--model", kFixtures + "/reject_tf.pkl", "--exit-after-render"}, xvfb());
  EXPECT_EQ(bad_model.exit_code, 2);
  EXPECT_NE(bad_model.output.find("reject_tf.pkl"), std::string::npos) << bad_model.output;
}

}  // namespace
}  // namespace stylescope::test
