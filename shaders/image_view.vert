#version 330 core
// A full-viewport triangle pair from gl_VertexID: no vertex buffers needed.
out vec2 view_px;
uniform vec2 view_size;
void main() {
  vec2 corners[4] = vec2[](vec2(-1, -1), vec2(1, -1), vec2(-1, 1), vec2(1, 1));
  vec2 p = corners[gl_VertexID];
  view_px = vec2((p.x + 1.0) * 0.5, (p.y + 1.0) * 0.5) * view_size;
  gl_Position = vec4(p, 0.0, 1.0);
}
