// Drawing without a display: an OpenGL 3.3+ core context from EGL's surfaceless platform
// (Mesa; no X server, no window), falling back to a hidden GLFW window when EGL cannot give
// one (then a display is needed, e.g. Xvfb), and a framebuffer object to draw into and read
// back. Used by `safetwin render`, the render benchmark, video export and the tests.
// No OpenGL types in this header.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace safetwin::render {

class OffscreenContext {
public:
    /// Creates a context and makes it current on this thread. Throws std::runtime_error when
    /// neither EGL nor a hidden GLFW window gives an OpenGL 3.3 core context, saying why.
    /// The environment variable SAFETWIN_GL_CONTEXT=egl or =glfw allows only that one.
    static std::unique_ptr<OffscreenContext> create();
    virtual ~OffscreenContext() = default;
    virtual void makeCurrent() = 0;
    /// "egl-surfaceless" or "glfw-hidden".
    virtual std::string kind() const = 0;
    /// GL_RENDERER, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)".
    std::string renderer() const;
};

/// A framebuffer of width x height with colour (RGBA8) and depth; with samples > 1 it draws
/// multisampled and resolves on read. Needs a current context.
class OffscreenTarget {
public:
    OffscreenTarget(int width, int height, int samples = 4);
    ~OffscreenTarget();
    OffscreenTarget(const OffscreenTarget&) = delete;
    OffscreenTarget& operator=(const OffscreenTarget&) = delete;

    /// Binds the framebuffer for drawing and sets the viewport.
    void bind();
    /// Waits for drawing to finish and returns the pixels, RGB, rows from the top.
    std::vector<uint8_t> readRgb();
    /// glFinish: for timing.
    static void finish();
    int width() const { return w_; }
    int height() const { return h_; }

private:
    int w_, h_, samples_;
    unsigned fbo_ = 0, colour_ = 0, depth_ = 0;        // drawing target (multisampled or not)
    unsigned resolveFbo_ = 0, resolveColour_ = 0;      // single-sampled copy when samples > 1
};

/// PNG bytes of an RGB image (rows from the top).
std::string encodePng(const std::vector<uint8_t>& rgb, int width, int height);

}  // namespace safetwin::render
