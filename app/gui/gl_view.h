#pragma once
// The image view's drawing: the shader program from shaders/ rendering the image texture into an offscreen
// target the size of the view, which the ImGui layout then shows. glad stays inside the .cpp files.
#include <cstdint>
#include <vector>

namespace stylescope::gui {

struct ViewPlacement {
  float origin_x = 0, origin_y = 0;  // view pixel of the image's top-left corner
  float scale = 1;                   // view pixels per image pixel
  bool nearest = false;
  bool colormap = false;
};

class GlView {
 public:
  GlView() = default;
  ~GlView();
  GlView(const GlView&) = delete;
  GlView& operator=(const GlView&) = delete;
  // Draws `texture` (image_w x image_h) into the target; returns the target's texture for ImGui::Image.
  unsigned draw(unsigned texture, int image_w, int image_h, int view_w, int view_h, const ViewPlacement& p);

 private:
  void ensure_program();
  void ensure_target(int w, int h);
  unsigned program_ = 0, vao_ = 0, fbo_ = 0, target_ = 0;
  int target_w_ = 0, target_h_ = 0;
};

}  // namespace stylescope::gui
