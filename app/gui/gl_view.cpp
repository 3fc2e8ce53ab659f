#include "app/gui/gl_view.h"

#include <glad/gl.h>

#include <stdexcept>
#include <string>

#include "shaders.h"  // generated from shaders/ at configure time

namespace stylescope::gui {

namespace {

unsigned compile(GLenum kind, const char* source, const char* name) {
  const unsigned shader = glCreateShader(kind);
  glShaderSource(shader, 1, &source, nullptr);
  glCompileShader(shader);
  GLint ok = 0;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    char log[2048];
    glGetShaderInfoLog(shader, sizeof log, nullptr, log);
    throw std::runtime_error(std::string("shaders/") + name + ": " + log);
  }
  return shader;
}

}  // namespace

GlView::~GlView() {
  if (program_) glDeleteProgram(program_);
  if (vao_) glDeleteVertexArrays(1, &vao_);
  if (fbo_) glDeleteFramebuffers(1, &fbo_);
  if (target_) glDeleteTextures(1, &target_);
}

void GlView::ensure_program() {
  if (program_) return;
  const unsigned vs = compile(GL_VERTEX_SHADER, kImageViewVert, "image_view.vert");
  const unsigned fs = compile(GL_FRAGMENT_SHADER, kImageViewFrag, "image_view.frag");
  program_ = glCreateProgram();
  glAttachShader(program_, vs);
  glAttachShader(program_, fs);
  glLinkProgram(program_);
  glDeleteShader(vs);
  glDeleteShader(fs);
  GLint ok = 0;
  glGetProgramiv(program_, GL_LINK_STATUS, &ok);
  if (!ok) throw std::runtime_error("shaders/image_view: link failed");
  glGenVertexArrays(1, &vao_);
}

void GlView::ensure_target(int w, int h) {
  if (target_ && w == target_w_ && h == target_h_) return;
  if (!target_) {
    glGenTextures(1, &target_);
    glGenFramebuffers(1, &fbo_);
  }
  glBindTexture(GL_TEXTURE_2D, target_);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, target_, 0);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  target_w_ = w;
  target_h_ = h;
}

unsigned GlView::draw(unsigned texture, int image_w, int image_h, int view_w, int view_h,
                      const ViewPlacement& p) {
  if (view_w < 1 || view_h < 1) return target_;
  ensure_program();
  ensure_target(view_w, view_h);
  GLint previous_viewport[4];
  glGetIntegerv(GL_VIEWPORT, previous_viewport);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glViewport(0, 0, view_w, view_h);
  glDisable(GL_BLEND);
  glDisable(GL_SCISSOR_TEST);
  glUseProgram(program_);
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, texture);
  const GLint filter = p.nearest ? GL_NEAREST : GL_LINEAR;
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
  glUniform1i(glGetUniformLocation(program_, "image"), 0);
  glUniform2f(glGetUniformLocation(program_, "view_size"), static_cast<float>(view_w),
              static_cast<float>(view_h));
  glUniform2f(glGetUniformLocation(program_, "image_size"), static_cast<float>(image_w),
              static_cast<float>(image_h));
  glUniform2f(glGetUniformLocation(program_, "origin"), p.origin_x, p.origin_y);
  glUniform1f(glGetUniformLocation(program_, "scale"), p.scale);
  glUniform1i(glGetUniformLocation(program_, "colormap"), p.colormap ? 1 : 0);
  glUniform3f(glGetUniformLocation(program_, "background"), 0.09f, 0.09f, 0.10f);
  glBindVertexArray(vao_);
  glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
  glBindVertexArray(0);
  glUseProgram(0);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glViewport(previous_viewport[0], previous_viewport[1], previous_viewport[2], previous_viewport[3]);
  return target_;
}

}  // namespace stylescope::gui
