// ExplorerState as JSON (sessions, script patches) and the RenderRequest it turns into.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "core/explore/explorer_state.h"
#include "core/explore/render_request.h"
#include "core/io/errors.h"

namespace stylescope {
namespace {

using nlohmann::json;

ExplorerState edited_state() {
  ExplorerState s;
  s.model = "/models/x.pkl";
  s.latent.x = 12.5;
  s.latent.y = -3;
  s.latent.class_idx = 4;
  s.edits.offsets = {{3, 0.5}, {17, -1.25}};
  s.edits.first_layer = 2;
  s.directions.file = "/dirs/d.npy";
  s.directions.alphas = {{0, 1.5}, {3, -2}};
  s.truncation.psi = 0.7;
  s.truncation.cutoff = 8;
  s.truncation.class_center = true;
  s.noise.mode = "random";
  s.noise.seed = 9;
  s.mixing.enabled = true;
  s.mixing.layers = {0, 1, 2};
  s.mixing.w_file = "/w/projected_w.npz";
  s.mixing.class_idx = 6;
  s.view.layer = "b16.conv1";
  s.view.zoom = 3;
  s.view.resolution_usage = true;
  s.view.skip_sum_resolution = 16;
  ExplorerState key2 = s;
  key2.latent.x = 40;
  key2.mixing.enabled = false;
  s.timeline.keys = {timeline_key(s), timeline_key(key2)};
  s.timeline.kind = "linear";
  s.timeline.frames_per_key = 7;
  s.timeline.loop = true;
  s.timeline.fps = 24;
  s.timeline.position = 3.5;
  s.timeline.playing = true;
  return s;
}

TEST(ExplorerState, JsonRoundTripKeepsEveryField) {
  const ExplorerState s = edited_state();
  const json j = to_json(s);
  EXPECT_EQ(j.at("version"), ExplorerState::kVersion);
  const ExplorerState back = state_from_json(j, "test");
  EXPECT_EQ(to_json(back), j);
  EXPECT_EQ(back.latent.class_idx, 4);
  EXPECT_EQ(back.mixing.class_idx, 6);
  EXPECT_EQ(make_render_request(back, 1).mix_class, 6);
  EXPECT_EQ(back.edits.offsets.at(17), -1.25);
  EXPECT_EQ(back.truncation.cutoff, 8);
  EXPECT_TRUE(back.truncation.class_center);
  EXPECT_TRUE(make_render_request(back, 1).class_center);
  EXPECT_EQ(back.directions.alphas.at(3), -2);
  // Keys are whole key states without view, model and timeline.
  ASSERT_EQ(back.timeline.keys.size(), 2u);
  EXPECT_EQ(back.timeline.keys[1].latent.x, 40);
  EXPECT_FALSE(back.timeline.keys[1].mixing.enabled);
  EXPECT_EQ(back.timeline.keys[0].mixing.layers, std::vector<int>({0, 1, 2}));
  EXPECT_EQ(back.timeline.keys[0].view.layer, "");
  EXPECT_FALSE(j.at("timeline").at("keys")[0].contains("view"));
  EXPECT_EQ(back.timeline.kind, "linear");
  EXPECT_EQ(back.timeline.frames_per_key, 7);
  EXPECT_TRUE(back.timeline.loop);
  EXPECT_EQ(back.timeline.fps, 24);
  EXPECT_EQ(back.timeline.position, 3.5);
  EXPECT_TRUE(back.timeline.playing);
  EXPECT_FALSE(back.timeline.preview);
  EXPECT_TRUE(back.view.resolution_usage);
  EXPECT_EQ(back.view.skip_sum_resolution, 16);
}

TEST(ExplorerState, TimelineDefaultsAndBadValues) {
  const ExplorerState s = state_from_json({{"timeline", {{"keys", {{{"latent", {{"x", 3}}}}}}}}}, "t");
  ASSERT_EQ(s.timeline.keys.size(), 1u);
  EXPECT_EQ(s.timeline.keys[0].seed(), 3u);
  EXPECT_EQ(s.timeline.kind, "cubic");  // gen_video.py's defaults
  EXPECT_EQ(s.timeline.frames_per_key, 120);
  EXPECT_EQ(s.timeline.fps, 60);
  EXPECT_FALSE(s.timeline.preview);
  EXPECT_THROW(state_from_json({{"timeline", {{"kind", "slerp"}}}}, "t"), InputError);
  EXPECT_THROW(state_from_json({{"timeline", {{"frames_per_key", 0}}}}, "t"), InputError);
  EXPECT_EQ(s.timeline.crf, 18);  // as `video --crf`
  EXPECT_TRUE(s.timeline.segment_frames.empty());
  EXPECT_THROW(state_from_json({{"timeline", {{"segment_frames", {3, 0}}}}}, "t"), InputError);
  EXPECT_THROW(state_from_json({{"timeline", {{"crf", 52}}}}, "t"), InputError);
  EXPECT_THROW(state_from_json({{"timeline", {{"crf", -1}}}}, "t"), InputError);
  EXPECT_THROW(state_from_json({{"timeline", {{"keys", 3}}}}, "t"), InputError);
  EXPECT_THROW(state_from_json({{"timeline", {{"keys", {{{"truncation", {{"psi", "x"}}}}}}}}}, "t"),
               InputError);
}

TEST(ExplorerState, SegmentLengthsAndCrfRoundTripAndReachTheRequest) {
  ExplorerState s = edited_state();  // 2 keys, 7 frames per key, loop
  s.timeline.segment_frames = {3};   // the second segment (back to key 1) keeps 7
  s.timeline.crf = 30;
  const ExplorerState back = state_from_json(to_json(s), "t");
  EXPECT_EQ(back.timeline.segment_frames, std::vector<int>({3}));
  EXPECT_EQ(back.timeline.crf, 30);
  EXPECT_EQ(timeline_segments(s.timeline), std::vector<int64_t>({3, 7}));
  EXPECT_EQ(timeline_frame_count(s.timeline), 10);
  s.timeline.preview = true;
  s.timeline.position = 3;
  const RenderRequest r = make_render_request(s, 1);
  EXPECT_EQ(r.timeline_segment_frames, std::vector<int64_t>({3, 7}));
  s.timeline.segment_frames = {4};
  EXPECT_NE(make_render_request(s, 1), r);  // another length is another path
  s.timeline.loop = false;                  // one segment left
  EXPECT_EQ(timeline_segments(s.timeline), std::vector<int64_t>({4}));
  EXPECT_EQ(timeline_frame_count(s.timeline), 5);
}

TEST(ExplorerState, MissingKeysAreDefaultedAndUnknownKeysIgnored) {
  const json j = {{"version", 1}, {"latent", {{"x", 7}}}, {"future_panel", {{"a", 1}}}};
  const ExplorerState s = state_from_json(j, "test");
  EXPECT_EQ(s.seed(), 7u);
  EXPECT_EQ(s.truncation.psi, 1.0);
  EXPECT_EQ(s.noise.mode, "const");
  EXPECT_FALSE(s.truncation.cutoff.has_value());
}

TEST(ExplorerState, WrongTypesNameTheKey) {
  try {
    state_from_json({{"truncation", {{"psi", "high"}}}}, "s.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("s.json"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("truncation.psi"), std::string::npos);
  }
  EXPECT_THROW(state_from_json({{"noise", {{"mode", "loud"}}}}, "s"), InputError);
  EXPECT_THROW(state_from_json({{"version", 99}}, "s"), InputError);
  EXPECT_THROW(state_from_json(json::array(), "s"), InputError);
  EXPECT_THROW(state_from_json({{"edits", {{"offsets", {{"x", 1.0}}}}}}, "s"), InputError);
}

TEST(ExplorerState, MergePatchChangesOnlyWhatItNames) {
  const ExplorerState s = edited_state();
  const ExplorerState p =
      apply_patch(s, {{"latent", {{"x", 5}, {"y", 0}}}, {"truncation", {{"cutoff", nullptr}}}}, "p");
  EXPECT_EQ(p.seed(), 5u);
  EXPECT_FALSE(p.truncation.cutoff.has_value());
  EXPECT_EQ(p.truncation.psi, 0.7);
  EXPECT_EQ(p.latent.class_idx, 4);
  EXPECT_THROW(apply_patch(s, json::array(), "p"), InputError);
}

TEST(ExplorerState, SessionFilesRoundTripAndCorruptOnesAreRejected) {
  const std::string path = ::testing::TempDir() + "/session_rt.json";
  save_session(path, edited_state());
  EXPECT_EQ(to_json(load_session(path)), to_json(edited_state()));
  {
    std::ofstream f(path, std::ios::trunc);
    f << "{\"version\": 1, \"latent\": {";
  }
  try {
    load_session(path);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
  }
  std::remove(path.c_str());
  EXPECT_THROW(load_session(path), InputError);
}

TEST(RenderRequest, SeedWeightsFollowTheVisualizerPad) {
  auto w = seed_weights(3, 0);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].first, 3u);
  EXPECT_EQ(w[0].second, 1.0);
  w = seed_weights(3.25, 1);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].first, 103u);
  EXPECT_DOUBLE_EQ(w[0].second, 0.75);
  EXPECT_EQ(w[1].first, 104u);
  EXPECT_DOUBLE_EQ(w[1].second, 0.25);
  w = seed_weights(0.5, 0.5);
  ASSERT_EQ(w.size(), 4u);
  double total = 0;
  for (auto& [seed, weight] : w) total += weight;
  EXPECT_DOUBLE_EQ(total, 1.0);
  w = seed_weights(-1, 0);  // wraps to 32 bits as the visualizer does
  EXPECT_EQ(w[0].first, 0xffffffffu);
}

TEST(RenderRequest, OnlyPixelDecidingStateChangesTheRequest) {
  ExplorerState s = edited_state();
  const RenderRequest a = make_render_request(s, 1);
  s.view.zoom = 8;  // display only
  s.view.pan_x = 30;
  s.latent.animate = true;
  EXPECT_EQ(make_render_request(s, 1), a);
  EXPECT_NE(make_render_request(s, 2), a);
  s.truncation.psi = 0.5;
  EXPECT_NE(make_render_request(s, 1), a);
  ExplorerState z = edited_state();
  z.edits.offsets[40] = 0.0;     // a zero offset is no edit
  z.directions.alphas[7] = 0.0;  // nor a zero alpha
  EXPECT_EQ(make_render_request(z, 1), a);
  z.directions.alphas[7] = 0.5;
  EXPECT_NE(make_render_request(z, 1), a);
  // The skip sum shown matters only while resolution usage is on.
  ExplorerState u = edited_state();
  u.view.layer.clear();
  u.view.resolution_usage = false;
  const RenderRequest off = make_render_request(u, 1);
  u.view.skip_sum_resolution = 4;
  EXPECT_EQ(make_render_request(u, 1), off);
  u.view.resolution_usage = true;
  EXPECT_EQ(make_render_request(u, 1).skip_sum_resolution, 4);
  EXPECT_NE(make_render_request(u, 1), off);
}

TEST(RenderRequest, TimelinePreviewCarriesTheKeysAndTheFrame) {
  ExplorerState s = edited_state();  // 2 keys, 7 frames per key, loop: 14 frames, position 3.5
  s.timeline.preview = true;
  const RenderRequest r = make_render_request(s, 1);
  ASSERT_EQ(r.timeline_keys.size(), 2u);
  EXPECT_EQ(r.timeline_keys[1].seeds, seed_weights(40, -3));
  EXPECT_FALSE(r.timeline_keys[1].mix);
  EXPECT_EQ(r.timeline_frame, 3);
  EXPECT_EQ(r.timeline_kind, "linear");
  EXPECT_TRUE(r.timeline_loop);
  EXPECT_EQ(r.timeline_frames_per_key, 7);
  EXPECT_EQ(timeline_frame_count(s.timeline), 14);
  s.timeline.position = 100;  // clamped to the last frame
  EXPECT_EQ(make_render_request(s, 1).timeline_frame, 13);
  s.timeline.position = 4;
  EXPECT_NE(make_render_request(s, 1), r);
  s.timeline.position = 3.5;
  s.timeline.keys[1].truncation.psi = 0.2;  // a key's state decides the pixels
  EXPECT_NE(make_render_request(s, 1), r);
  s.timeline.preview = false;  // not previewing: the plain state
  EXPECT_TRUE(make_render_request(s, 1).timeline_keys.empty());
}

}  // namespace
}  // namespace stylescope
