#version 330 core
// The image view: places the image at `origin` with `scale` view pixels per image pixel (fit, zoom, pan and
// 1:1 are all this), samples it with the texture's filter, shows transparency over a checkerboard, and maps
// one-channel activations through a perceptual colormap.
in vec2 view_px;
out vec4 color;
uniform sampler2D image;
uniform vec2 image_size;
uniform vec2 origin;     // view pixel of the image's top-left corner
uniform float scale;
uniform int colormap;    // 1: red channel through the colormap
uniform vec3 background;

// Five samples of viridis, linearly interpolated.
vec3 viridis(float t) {
  const vec3 c0 = vec3(0.267, 0.005, 0.329);
  const vec3 c1 = vec3(0.231, 0.322, 0.545);
  const vec3 c2 = vec3(0.129, 0.569, 0.549);
  const vec3 c3 = vec3(0.369, 0.788, 0.384);
  const vec3 c4 = vec3(0.992, 0.906, 0.145);
  t = clamp(t, 0.0, 1.0) * 4.0;
  if (t < 1.0) return mix(c0, c1, t);
  if (t < 2.0) return mix(c1, c2, t - 1.0);
  if (t < 3.0) return mix(c2, c3, t - 2.0);
  return mix(c3, c4, t - 3.0);
}

void main() {
  // The target's row 0 is shown as the top row (ImGui's default uv) and the image's row 0 is its top row,
  // so view pixels map straight to image coordinates.
  vec2 uv = (view_px - origin) / (scale * image_size);
  if (uv.x < 0.0 || uv.y < 0.0 || uv.x > 1.0 || uv.y > 1.0) {
    color = vec4(background, 1.0);
    return;
  }
  vec4 texel = texture(image, uv);
  vec3 rgb = colormap == 1 ? viridis(texel.r) : texel.rgb;
  vec2 cell = floor(view_px / 8.0);
  float checker = mod(cell.x + cell.y, 2.0) < 1.0 ? 0.35 : 0.5;
  color = vec4(mix(vec3(checker), rgb, texel.a), 1.0);
}
