// Capture: save the image (official-style names), the current w, and the whole session.
#include <imgui.h>

#include <cstdio>

#include "app/gui/panel_context.h"
#include "core/io/image.h"
#include "core/io/tensor_ref.h"
#include "core/io/zip_npz.h"
#include "core/util/atomic_file.h"

namespace stylescope::gui {

namespace {

// generate.py names: seed0042.png; anything that is not a plain seed gets a suffix saying so.
std::string image_stem(const ExplorerState& s, const RenderRequest& r) {
  char stem[64];
  std::snprintf(stem, sizeof stem, "seed%04u", s.seed());
  std::string out = stem;
  if (!r.w_file.empty()) out = "w" + std::to_string(r.w_index);
  if (r.seeds.size() > 1) out += "-blend";
  if (r.mix) out += "-mix" + std::to_string(r.mix_seed);
  if (!r.edit_offsets.empty()) out += "-edit";
  if (r.grid) out = "mixing-grid";
  if (!r.layer.empty()) out += "-" + r.layer;
  return out;
}

template <typename Fn>
void attempt(Status& status, const std::string& done, Fn fn) {
  try {
    fn();
    status.info(done);
  } catch (const std::exception& e) {
    status.fail(e.what());
  }
}

}  // namespace

void capture_panel(PanelContext& ctx) {
  if (!panel_header(ctx, "Capture")) return;
  static char dir[1024] = "out";
  static char session[1024] = "session.json";
  const float f = ctx.font_size;
  ImGui::SetNextItemWidth(-f * 5);
  ImGui::InputText("Folder", dir, sizeof dir);
  RenderedFrame* frame = ctx.frame;
  const bool have_image = frame && frame->has_image();
  if (ImGui::Button("Save image") && have_image) {
    frame->download();
    const std::string path = std::string(dir) + "/" + image_stem(ctx.state, frame->request) + ".png";
    attempt(ctx.status, "Saved " + path, [&] {
      ensure_directory(dir);
      write_png(path, frame->pixels.data(), frame->width, frame->height, frame->channels);
    });
  }
  ImGui::SameLine();
  if (ImGui::Button("Save w") && frame && frame->ws.defined()) {
    // [1, num_ws, w_dim] under key 'w', as projected_w.npz: every StyleScope command and the official
    // scripts read it back.
    const std::string path = std::string(dir) + "/" + image_stem(ctx.state, frame->request) + "_w.npz";
    attempt(ctx.status, "Saved " + path, [&] {
      ensure_directory(dir);
      auto ws = frame->ws.to(torch::kCPU).to(torch::kFloat32).contiguous();
      TensorRef ref{DType::Float32, ws.sizes().vec(), ws.data_ptr()};
      write_npz(path, {{"w", ref}});
    });
  }
  ImGui::SetNextItemWidth(-f * 5);
  ImGui::InputText("Session", session, sizeof session);
  if (ImGui::Button("Save session"))
    attempt(ctx.status, std::string("Saved ") + session, [&] { save_session(session, ctx.state); });
  ImGui::SameLine();
  if (ImGui::Button("Load session"))
    attempt(ctx.status, std::string("Loaded ") + session, [&] { ctx.state = load_session(session); });
}

}  // namespace stylescope::gui
