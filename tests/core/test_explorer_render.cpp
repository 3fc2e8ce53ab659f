// FrameRenderer and AsyncRenderer: what the explorer window shows, computed headless.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/explore/async_renderer.h"
#include "core/explore/direction_strip.h"
#include "core/explore/frame_renderer.h"
#include "core/io/image_convert.h"
#include "core/io/npy.h"
#include "core/io/tensor_ref.h"
#include "core/latent/direction_compute.h"
#include "core/latent/direction_file.h"
#include "core/latent/latents.h"
#include "core/metrics/resolution_usage.h"

namespace stylescope {
namespace {

const std::string kFixtures = STYLESCOPE_FIXTURES_DIR;

std::shared_ptr<LoadedModel> fixture(const std::string& name = "skip_rgb32.pkl") {
  return std::make_shared<LoadedModel>(load_model(kFixtures + "/" + name));
}

RenderRequest seed_request(uint32_t seed) {
  RenderRequest r;
  r.seeds = {{seed, 1.0}};
  return r;
}

TEST(FrameRenderer, AWholeSeedIsExactlyWhatGenerateRenders) {
  auto model = fixture();
  FrameRenderer fr(model, torch::kCPU, ForwardOptions{});
  RenderRequest r = seed_request(5);
  r.psi = 0.7;
  RenderedFrame f = fr.render(r);
  ASSERT_TRUE(f.error.empty()) << f.error;
  Renderer plain(model->G, torch::kCPU);
  LatentRequest lr;
  lr.seed = 5;
  lr.psi = 0.7;
  auto ws = plain.ws_for(lr);
  EXPECT_TRUE(torch::equal(f.ws, ws));
  auto img = plain.synthesize(ws, ForwardOptions{})[0].contiguous();
  const int res = model->config.img_resolution;
  EXPECT_EQ(f.pixels, chw_to_hwc_uint8(img.data_ptr<float>(), 3, res, res));
  EXPECT_EQ(f.width, res);
  EXPECT_FALSE(f.colormap);
}

// The Truncation panel's "Towards the class's mean w": the view's ws are `generate --trunc-center class`'s.
TEST(FrameRenderer, TruncationTowardsTheClassMeanReachesTheRenderer) {
  auto model = fixture("orig_cond32.pkl");
  FrameRenderer fr(model, torch::kCPU, ForwardOptions{});
  Renderer plain(model->G, torch::kCPU);
  for (int cls : {1, 3}) {
    RenderRequest r = seed_request(5);
    r.class_idx = cls;
    r.psi = 0.25;
    r.class_center = true;
    RenderedFrame f = fr.render(r);
    ASSERT_TRUE(f.error.empty()) << f.error;
    LatentRequest lr;
    lr.seed = 5;
    lr.class_idx = cls;
    lr.psi = 0.25;
    lr.class_center = true;
    EXPECT_TRUE(torch::equal(f.ws, plain.ws_for(lr)));
    lr.class_center = false;
    EXPECT_FALSE(torch::allclose(f.ws, plain.ws_for(lr)));  // the global w_avg gives other ws
  }
}

TEST(FrameRenderer, FramesKeptOnTheDeviceHoldTheSamePixels) {
  // The GUI keeps CUDA frames on the GPU for interop; on the CPU the same code path runs, so CI checks that
  // what is kept, once downloaded, is byte for byte the frame that comes to the host.
  for (const std::string name : {"skip_rgb32.pkl", "resnet_gray16.pkl", "skip_rgba8.pkl"}) {
    auto model = fixture(name);
    FrameRenderer fr(model, torch::kCPU, ForwardOptions{});
    RenderRequest r = seed_request(3);
    r.psi = 0.8;
    RenderedFrame kept = fr.render(r, true);
    ASSERT_TRUE(kept.error.empty()) << kept.error;
    ASSERT_TRUE(kept.device_rgba.defined()) << name;
    EXPECT_TRUE(kept.pixels.empty()) << name;
    EXPECT_TRUE(kept.has_image());
    EXPECT_EQ(kept.device_rgba.sizes(), (std::vector<int64_t>{kept.height, kept.width, 4}));
    RenderedFrame host = fr.render(r, false);
    EXPECT_FALSE(host.device_rgba.defined());
    kept.download();
    EXPECT_EQ(kept.pixels, host.pixels) << name;
    EXPECT_EQ(kept.channels, model->config.img_channels);
    // The texture the view would get from the host copy is the kept RGBA.
    auto rgba = kept.device_rgba.contiguous();
    std::vector<uint8_t> kept_rgba(rgba.data_ptr<uint8_t>(), rgba.data_ptr<uint8_t>() + rgba.numel());
    EXPECT_EQ(kept_rgba,
              channels_to_rgba(host.pixels.data(), host.pixels.size() / host.channels, host.channels))
        << name;
  }
  // Layer views always come to the host.
  auto model = fixture();
  FrameRenderer fr(model, torch::kCPU, ForwardOptions{});
  RenderRequest r = seed_request(3);
  r.layer = "b8.conv1";
  RenderedFrame layer = fr.render(r, true);
  EXPECT_FALSE(layer.device_rgba.defined());
  EXPECT_FALSE(layer.pixels.empty());
}

TEST(FrameRenderer, RandomNoiseNeverTouchesTheGlobalGenerator) {
  // The view, the recorder and the direction previews render on their own threads (and a fine-tune run
  // trains on another): random noise must come from the request's noise seed alone.
  auto model = fixture();
  FrameRenderer fr(model, torch::kCPU, ForwardOptions{});
  RenderRequest r = seed_request(2);
  r.noise_mode = "random";
  r.noise_seed = 11;
  const auto first = fr.render(r).pixels;
  torch::manual_seed(7);
  const auto expected = torch::randn({8});
  torch::manual_seed(7);
  const auto again = fr.render(r).pixels;
  EXPECT_TRUE(torch::equal(torch::randn({8}), expected))
      << "the render re-seeded or drew from the global generator";
  EXPECT_EQ(again, first);
  // Still torch::manual_seed(noise_seed)'s draws, as before and as the official code's random noise.
  torch::manual_seed(11);
  Renderer plain(model->G, torch::kCPU);
  LatentRequest lr;
  lr.seed = 2;
  ForwardOptions random;
  random.noise_mode = NoiseMode::Random;
  auto img = plain.synthesize(plain.ws_for(lr), random)[0].contiguous();
  const int res = model->config.img_resolution;
  EXPECT_EQ(first, chw_to_hwc_uint8(img.data_ptr<float>(), 3, res, res));
  // Another thread drawing from the global generator all the while changes nothing.
  std::atomic<bool> stop{false};
  std::thread other([&] {
    while (!stop) torch::randn({256});
  });
  for (int i = 0; i < 5; ++i) EXPECT_EQ(fr.render(r).pixels, first);
  stop = true;
  other.join();
}

TEST(DisplayRgba, ConvertsExactlyAsTheHostDoes) {
  // Values at and around every rounding edge of x * 127.5 + 128, the ends, and non-finite values.
  std::vector<float> values;
  for (int k = -130; k <= 130; ++k) {
    const float x = (static_cast<float>(k) - 128.0f) / 127.5f;
    values.insert(values.end(), {x, std::nextafter(x, 2.0f), std::nextafter(x, -2.0f), x + 0.5f / 127.5f});
  }
  values.insert(values.end(), {NAN, INFINITY, -INFINITY, 1e30f, -1e30f, 0.0f, -0.0f});
  for (int channels = 1; channels <= 4; ++channels) {
    const int64_t w = static_cast<int64_t>(values.size());
    auto chw = torch::empty({channels, 1, w});
    for (int c = 0; c < channels; ++c)
      for (int64_t i = 0; i < w; ++i) chw[c][0][i] = values[(i + 37 * c) % w];
    chw = chw.contiguous();
    const auto host = chw_to_hwc_uint8(chw.data_ptr<float>(), channels, 1, static_cast<int>(w));
    auto rgba = display_rgba(chw);
    ASSERT_EQ(rgba.sizes(), (std::vector<int64_t>{1, w, 4}));
    std::vector<uint8_t> got(rgba.data_ptr<uint8_t>(), rgba.data_ptr<uint8_t>() + rgba.numel());
    EXPECT_EQ(got, channels_to_rgba(host.data(), static_cast<size_t>(w), channels))
        << channels << " channels";
    EXPECT_EQ(rgba_to_channels(got.data(), static_cast<size_t>(w), channels), host);
  }
}

TEST(FrameRenderer, FractionalPadPositionsBlendRelativeToWAvg) {
  auto model = fixture();
  FrameRenderer fr(model, torch::kCPU, ForwardOptions{});
  RenderRequest r;
  r.seeds = seed_weights(2.25, 0);
  auto blended = fr.compose_ws(r);
  auto a = fr.compose_ws(seed_request(2)), b = fr.compose_ws(seed_request(3));
  auto avg = model->G->mapping->w_avg;
  EXPECT_TRUE(torch::allclose(blended, (a - avg) * 0.75 + (b - avg) * 0.25 + avg, 1e-6, 1e-6));
}

TEST(FrameRenderer, MixingAndEditsTouchOnlyTheirLayers) {
  auto model = fixture();
  FrameRenderer fr(model, torch::kCPU, ForwardOptions{});
  const auto base = fr.compose_ws(seed_request(1));
  RenderRequest r = seed_request(1);
  r.mix = true;
  r.mix_seed = 9;
  r.mix_layers = {0, 2};
  const auto mixed = fr.compose_ws(r);
  const auto other = fr.compose_ws(seed_request(9));
  EXPECT_TRUE(torch::equal(mixed, mix_styles(base, other, {0, 2})));
  r.mix_strength = 0.5;
  EXPECT_TRUE(torch::allclose(fr.compose_ws(r).select(1, 2), (base.select(1, 2) + other.select(1, 2)) / 2));

  RenderRequest e = seed_request(1);
  e.edit_offsets = {{5, 2.0}};
  e.edit_first = 1;
  e.edit_last = 2;
  const auto edited = fr.compose_ws(e);
  auto diff = (edited - base).abs();
  EXPECT_NEAR(diff.select(1, 1).select(1, 5).item<float>(), 2.0, 1e-5);
  EXPECT_NEAR(diff.select(1, 2).select(1, 5).item<float>(), 2.0, 1e-5);
  EXPECT_FLOAT_EQ(diff.sum().item<float>(), diff.select(1, 1).select(1, 5).item<float>() +
                                                diff.select(1, 2).select(1, 5).item<float>());
}

// The Style mixing panel's "Mix class": the mixing seed and the grid's columns take that class, the image
// and the grid's rows keep theirs (what `stylescope mix --class 1 --col-class 3` draws).
TEST(FrameRenderer, MixingAcrossClassesMapsTheMixingSeedWithItsClass) {
  auto model = fixture("orig_cond32.pkl");
  FrameRenderer fr(model, torch::kCPU, ForwardOptions{});
  auto ws_of = [&](uint32_t seed, int cls) {
    RenderRequest r = seed_request(seed);
    r.class_idx = cls;
    return fr.compose_ws(r);
  };
  RenderRequest r = seed_request(1);
  r.class_idx = 1;
  r.mix = true;
  r.mix_seed = 9;
  r.mix_class = 3;
  r.mix_layers = {0, 1, 2, 3};
  const auto mixed = fr.compose_ws(r);
  EXPECT_TRUE(torch::equal(mixed, mix_styles(ws_of(1, 1), ws_of(9, 3), {0, 1, 2, 3})));
  EXPECT_FALSE(torch::equal(mixed, mix_styles(ws_of(1, 1), ws_of(9, 1), {0, 1, 2, 3})));

  RenderRequest grid = r;
  grid.mix = false;
  grid.grid = true;
  grid.grid_rows = {1};
  grid.grid_cols = {9};
  const RenderedFrame f = fr.render(grid);
  ASSERT_TRUE(f.error.empty()) << f.error;
  const int res = model->config.img_resolution, ch = model->config.img_channels;
  Renderer plain(model->G, torch::kCPU);
  auto cell = [&](int row, int col) {
    std::vector<uint8_t> out;
    for (int y = 0; y < res; ++y) {
      const auto* line = f.pixels.data() + ((static_cast<size_t>(row * res + y) * f.width) + col * res) * ch;
      out.insert(out.end(), line, line + static_cast<size_t>(res) * ch);
    }
    return out;
  };
  auto rendered = [&](const torch::Tensor& ws) {
    auto image = plain.synthesize(ws, ForwardOptions{})[0].contiguous();
    return chw_to_hwc_uint8(image.data_ptr<float>(), ch, res, res);
  };
  EXPECT_EQ(cell(0, 1), rendered(ws_of(9, 3))) << "the column seed takes the mixing class";
  EXPECT_EQ(cell(1, 0), rendered(ws_of(1, 1))) << "the row seed keeps the image's class";
  EXPECT_EQ(cell(1, 1), rendered(mix_styles(ws_of(1, 1), ws_of(9, 3), {0, 1, 2, 3})));
}

TEST(FrameRenderer, TheSecondLatentCanBeASavedW) {
  auto model = fixture();
  FrameRenderer fr(model, torch::kCPU, ForwardOptions{});
  const auto other = fr.compose_ws(seed_request(9)).contiguous();
  const std::string file = ::testing::TempDir() + "/mix_w.npy";
  write_npy(file, TensorRef{DType::Float32, other.sizes().vec(), other.data_ptr()});
  RenderRequest by_seed = seed_request(1), by_file = seed_request(1);
  by_seed.mix = by_file.mix = true;
  by_seed.mix_layers = by_file.mix_layers = {0, 1};
  by_seed.mix_seed = 9;
  by_file.mix_w_file = file;
  EXPECT_TRUE(torch::equal(fr.compose_ws(by_file), fr.compose_ws(by_seed)));
  by_file.mix_w_index = 3;
  EXPECT_NE(fr.render(by_file).error.find("out of range"), std::string::npos);
}

TEST(FrameRenderer, NoiseSeedAndStrength) {
  auto model = fixture();
  FrameRenderer fr(model, torch::kCPU, ForwardOptions{});
  RenderRequest r = seed_request(3);
  r.noise_mode = "random";
  r.noise_seed = 1;
  const auto a = fr.render(r).pixels;
  EXPECT_EQ(fr.render(r).pixels, a);  // the noise seed makes random noise reproducible
  r.noise_seed = 2;
  EXPECT_NE(fr.render(r).pixels, a);
  RenderRequest none = seed_request(3);
  none.noise_mode = "none";
  RenderRequest silent = seed_request(3);
  silent.noise_strength = 0;
  EXPECT_EQ(fr.render(silent).pixels, fr.render(none).pixels);
  EXPECT_NE(fr.render(seed_request(3)).pixels, fr.render(none).pixels);
}

TEST(FrameRenderer, LayerViewShowsActivationsOfTheChosenLayer) {
  auto model = fixture();
  FrameRenderer fr(model, torch::kCPU, ForwardOptions{});
  RenderedFrame image = fr.render(seed_request(0));
  ASSERT_FALSE(image.layers.empty());
  EXPECT_EQ(image.layers.front().name, "b4.conv1");
  const LayerInfo* l8 = nullptr;
  for (const auto& l : image.layers)
    if (l.name == "b8.conv1") l8 = &l;
  ASSERT_NE(l8, nullptr);
  RenderRequest r = seed_request(0);
  r.layer = "b8.conv1";
  RenderedFrame one = fr.render(r);
  ASSERT_TRUE(one.error.empty()) << one.error;
  EXPECT_EQ(one.width, 8);
  EXPECT_EQ(one.channels, 1);
  EXPECT_TRUE(one.colormap);
  r.rgb = true;
  RenderedFrame rgb = fr.render(r);
  EXPECT_EQ(rgb.channels, 3);
  r.fft = true;
  RenderedFrame fft = fr.render(r);
  EXPECT_EQ(fft.channels, 1);
  EXPECT_NE(fft.pixels, one.pixels);
  r.layer = "b99.nothing";
  RenderedFrame missing = fr.render(r);
  EXPECT_FALSE(missing.error.empty());
  EXPECT_EQ(missing.channels, 3);  // falls back to the image
}

// The Resolution panel's request: the frame carries each resolution's share (as `analyze` computes it) and
// the image is unchanged; a chosen skip sum replaces it by that coarse image.
TEST(FrameRenderer, ResolutionUsageComesWithTheFrame) {
  auto model = fixture();
  FrameRenderer fr(model, torch::kCPU, ForwardOptions{});
  RenderRequest plain = seed_request(3);
  RenderRequest usage = plain;
  usage.resolution_usage = true;
  EXPECT_NE(plain, usage);
  const RenderedFrame a = fr.render(plain), b = fr.render(usage);
  ASSERT_TRUE(b.error.empty()) << b.error;
  EXPECT_TRUE(a.resolution_share.empty());
  EXPECT_EQ(b.resolutions, std::vector<int>({4, 8, 16, 32}));
  EXPECT_EQ(b.pixels, a.pixels);
  const ResolutionContributions ref = contributions_of_ws(model->G, b.ws, ForwardOptions{});
  ASSERT_EQ(b.resolution_share.size(), ref.share.size());
  for (size_t i = 0; i < ref.share.size(); ++i) EXPECT_NEAR(b.resolution_share[i], ref.share[i], 1e-6);
  usage.skip_sum_resolution = 8;
  const RenderedFrame c = fr.render(usage);
  ASSERT_TRUE(c.error.empty()) << c.error;
  auto coarse = ref.partial_images[1].contiguous();
  EXPECT_EQ(c.pixels, chw_to_hwc_uint8(coarse.data_ptr<float>(), 3, 32, 32));
  EXPECT_NE(c.pixels, a.pixels);
  usage.skip_sum_resolution = 12;  // not a block resolution
  EXPECT_FALSE(fr.render(usage).error.empty());
  // A generator that is not `skip` has no shares, and its image is as always.
  auto resnet = fixture("resnet_gray16.pkl");
  FrameRenderer fr2(resnet, torch::kCPU, ForwardOptions{});
  RenderRequest r2 = seed_request(3);
  const RenderedFrame d = fr2.render(r2);
  r2.resolution_usage = true;
  const RenderedFrame e = fr2.render(r2);
  EXPECT_TRUE(e.resolution_share.empty());
  EXPECT_EQ(e.pixels, d.pixels);
}

TEST(FrameRenderer, MixingGridHasTheFigureLayout) {
  auto model = fixture();
  FrameRenderer fr(model, torch::kCPU, ForwardOptions{});
  RenderRequest r;
  r.grid = true;
  r.grid_rows = {1, 2};
  r.grid_cols = {3, 4, 5};
  r.mix_layers = {0, 1, 2};
  RenderedFrame f = fr.render(r);
  ASSERT_TRUE(f.error.empty()) << f.error;
  const int res = model->config.img_resolution;
  EXPECT_EQ(f.width, 4 * res);
  EXPECT_EQ(f.height, 3 * res);
  // Top-left cell is empty.
  for (int y = 0; y < res; ++y)
    for (int x = 0; x < res * 3; ++x) ASSERT_EQ(f.pixels[(static_cast<size_t>(y) * f.width * 3) + x], 0);
}

TEST(FrameRenderer, BadWFilesAreReportedNotThrown) {
  auto model = fixture();
  FrameRenderer fr(model, torch::kCPU, ForwardOptions{});
  RenderRequest r;
  r.w_file = "/nonexistent/w.npy";
  RenderedFrame f = fr.render(r);
  EXPECT_NE(f.error.find("/nonexistent/w.npy"), std::string::npos);
  EXPECT_TRUE(f.pixels.empty());
}

TEST(FrameRenderer, TimelineFramesOnKeysAreThoseKeysImages) {
  auto model = fixture();
  FrameRenderer fr(model, torch::kCPU, ForwardOptions{});
  RenderRequest a = seed_request(4), b = seed_request(9), c = seed_request(2);
  b.psi = 0.5;
  b.mix = true;  // keys are final ws: mixing applies before the path
  b.mix_seed = 3;
  b.mix_layers = {0, 1};
  RenderRequest t;
  t.timeline_keys = {a, b, c};
  t.timeline_kind = "linear";
  t.timeline_frames_per_key = 4;
  const RenderedFrame key_a = fr.render(a), key_b = fr.render(b), key_c = fr.render(c);
  for (auto [frame, key] : {std::pair{0, &key_a}, {4, &key_b}, {8, &key_c}}) {
    t.timeline_frame = frame;
    const RenderedFrame f = fr.render(t);
    ASSERT_TRUE(f.error.empty()) << f.error;
    EXPECT_EQ(f.pixels, key->pixels) << "frame " << frame;
    EXPECT_TRUE(torch::equal(f.ws, key->ws)) << "frame " << frame;
  }
  t.timeline_frame = 2;  // halfway from a to b: the mean of their ws, an image of neither
  const RenderedFrame mid = fr.render(t);
  EXPECT_TRUE(torch::allclose(mid.ws, (key_a.ws + key_b.ws) / 2, 1e-5, 1e-5));
  EXPECT_NE(mid.pixels, key_a.pixels);
  EXPECT_NE(mid.pixels, key_b.pixels);
  // Cubic through 4 keys passes through every key too.
  t.timeline_keys.push_back(seed_request(11));
  t.timeline_kind = "cubic";
  t.timeline_frame = 4;
  EXPECT_EQ(fr.render(t).pixels, key_b.pixels);
  t.timeline_frame = 5;
  EXPECT_NE(fr.render(t).pixels, key_b.pixels);
}

TEST(FrameRenderer, TimelineSegmentsKeepTheirOwnLengths) {
  auto model = fixture();
  FrameRenderer fr(model, torch::kCPU, ForwardOptions{});
  const RenderRequest a = seed_request(4), b = seed_request(9), c = seed_request(2);
  RenderRequest t;
  t.timeline_keys = {a, b, c};
  t.timeline_kind = "linear";
  t.timeline_segment_frames = {2, 5};  // b at frame 2, c at frame 7
  const RenderedFrame key_b = fr.render(b), key_c = fr.render(c);
  t.timeline_frame = 2;
  EXPECT_EQ(fr.render(t).pixels, key_b.pixels);
  t.timeline_frame = 7;
  EXPECT_EQ(fr.render(t).pixels, key_c.pixels);
  t.timeline_frame = 4;
  EXPECT_NE(fr.render(t).pixels, key_b.pixels);
  EXPECT_NE(fr.render(t).pixels, key_c.pixels);
}

TEST(DirectionStrip, EachCellIsTheRequestWithThatAlpha) {
  auto model = fixture();
  FrameRenderer fr(model, torch::kCPU, ForwardOptions{});
  const std::string dir = testing::TempDir() + "/strip_dirs";
  std::filesystem::create_directories(dir);
  const DirectionSet set = sefa_directions(model->G, {}, 3);
  save_direction_set(dir + "/dirs.npy", set);
  RenderRequest base = seed_request(6);
  base.directions_file = dir + "/dirs.npy";
  base.direction_alphas = {{0, 1.5}, {2, -1.0}};  // direction 0 stays at 1.5 in every cell
  base.layer = "b16.conv1";                       // a strip shows images, not the layer view
  const std::vector<double> alphas = direction_strip_alphas();
  const RenderedFrame strip = render_direction_strip(fr, base, 2, alphas);
  ASSERT_TRUE(strip.error.empty()) << strip.error;
  ASSERT_EQ(strip.width, 32 * static_cast<int>(alphas.size()));
  ASSERT_EQ(strip.height, 32);
  ASSERT_EQ(strip.channels, 3);
  std::vector<std::vector<uint8_t>> cells;
  for (size_t k = 0; k < alphas.size(); ++k) {
    RenderRequest r = base;
    r.layer.clear();
    if (alphas[k] == 0)
      r.direction_alphas.erase(2);
    else
      r.direction_alphas[2] = alphas[k];
    const RenderedFrame expected = fr.render(r);
    std::vector<uint8_t> cell;
    for (int y = 0; y < 32; ++y) {
      const uint8_t* row = strip.pixels.data() + (static_cast<size_t>(y) * strip.width + k * 32) * 3;
      cell.insert(cell.end(), row, row + 32 * 3);
    }
    EXPECT_EQ(cell, expected.pixels) << "alpha " << alphas[k];
    cells.push_back(cell);
  }
  EXPECT_NE(cells.front(), cells.back());  // the direction does something
}

// A render function that blocks until released, to look inside the worker while it is busy.
struct Gate {
  std::mutex m;
  std::condition_variable cv;
  int entered = 0;
  bool open = false;
  void wait_entered(int n) {
    std::unique_lock<std::mutex> l(m);
    cv.wait(l, [&] { return entered >= n; });
  }
  void release() {
    std::lock_guard<std::mutex> l(m);
    open = true;
    cv.notify_all();
  }
};

TEST(AsyncRenderer, LatestRequestWinsAndSubmitNeverWaits) {
  Gate gate;
  AsyncRenderer async([&](const RenderRequest& r) {
    std::unique_lock<std::mutex> l(gate.m);
    ++gate.entered;
    gate.cv.notify_all();
    gate.cv.wait(l, [&] { return gate.open; });
    RenderedFrame f;
    f.request = r;
    return f;
  });
  async.submit(seed_request(1));
  gate.wait_entered(1);  // the worker is now stuck inside render(1)
  EXPECT_TRUE(async.busy());
  EXPECT_FALSE(async.take().has_value());
  // These return while the worker is blocked: submit does not wait for the model.
  async.submit(seed_request(2));
  async.submit(seed_request(3));
  EXPECT_EQ(async.dropped(), 1u);
  gate.release();
  std::vector<uint32_t> seen;
  while (async.busy() || seen.empty() || seen.back() != 3) {
    if (auto f = async.take()) seen.push_back(f->request.seeds[0].first);
    std::this_thread::yield();
  }
  if (auto f = async.take()) seen.push_back(f->request.seeds[0].first);
  EXPECT_EQ(seen.back(), 3u);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 2u), 0);
  EXPECT_EQ(async.rendered(), 2u);
}

TEST(AsyncRenderer, ARenderErrorBecomesAFrameError) {
  AsyncRenderer async([](const RenderRequest&) -> RenderedFrame { throw std::runtime_error("boom"); });
  async.submit(seed_request(1));
  std::optional<RenderedFrame> f;
  while (!(f = async.take())) std::this_thread::yield();
  EXPECT_EQ(f->error, "boom");
}

}  // namespace
}  // namespace stylescope
