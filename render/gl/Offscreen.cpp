// EGL surfaceless context, hidden-GLFW fallback, framebuffer object (see Offscreen.hpp).
#include "render/gl/Offscreen.hpp"

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLFW/glfw3.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "render/gl/Gl.hpp"

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

namespace safetwin::render {

namespace {

class EglContext final : public OffscreenContext {
public:
    EglContext(EGLDisplay d, EGLContext c) : display_(d), context_(c) {}
    ~EglContext() override {
        eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
        eglDestroyContext(display_, context_);
        eglTerminate(display_);
    }
    void makeCurrent() override {
        if (!eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, context_))
            throw std::runtime_error("eglMakeCurrent failed");
    }
    std::string kind() const override { return "egl-surfaceless"; }

private:
    EGLDisplay display_;
    EGLContext context_;
};

/// Surfaceless EGL (Mesa's EGL_PLATFORM_SURFACELESS_MESA) with a configless OpenGL 3.3 core
/// context. Returns null and says why in `why` when the platform or the context is missing.
std::unique_ptr<OffscreenContext> tryEgl(std::string& why) {
    const char* ext = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
    if (!ext || !std::strstr(ext, "EGL_MESA_platform_surfaceless")) {
        why = "EGL has no surfaceless platform (EGL_MESA_platform_surfaceless)";
        return nullptr;
    }
    auto getPlatformDisplay =
        reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(eglGetProcAddress("eglGetPlatformDisplayEXT"));
    if (!getPlatformDisplay) {
        why = "eglGetPlatformDisplayEXT missing";
        return nullptr;
    }
    EGLDisplay d = getPlatformDisplay(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
    EGLint major = 0, minor = 0;
    if (d == EGL_NO_DISPLAY || !eglInitialize(d, &major, &minor)) {
        why = "eglInitialize on the surfaceless platform failed";
        return nullptr;
    }
    if (!eglBindAPI(EGL_OPENGL_API)) {
        why = "EGL cannot bind the desktop OpenGL API";
        eglTerminate(d);
        return nullptr;
    }
    const EGLint attributes[] = {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 3,
                                 EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
                                 EGL_NONE};
    EGLContext c = eglCreateContext(d, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, attributes);
    if (c == EGL_NO_CONTEXT) {
        why = "EGL could not create an OpenGL 3.3 core context";
        eglTerminate(d);
        return nullptr;
    }
    if (!eglMakeCurrent(d, EGL_NO_SURFACE, EGL_NO_SURFACE, c)) {
        why = "EGL surfaceless context cannot be made current";
        eglDestroyContext(d, c);
        eglTerminate(d);
        return nullptr;
    }
    return std::make_unique<EglContext>(d, c);
}

class GlfwHiddenContext final : public OffscreenContext {
public:
    explicit GlfwHiddenContext(GLFWwindow* w) : window_(w) {}
    ~GlfwHiddenContext() override {
        glfwDestroyWindow(window_);
        glfwTerminate();
    }
    void makeCurrent() override { glfwMakeContextCurrent(window_); }
    std::string kind() const override { return "glfw-hidden"; }

private:
    GLFWwindow* window_;
};

std::unique_ptr<OffscreenContext> tryGlfw(std::string& why) {
    if (!glfwInit()) {
        why = "GLFW cannot start (no display: set DISPLAY, e.g. under Xvfb)";
        return nullptr;
    }
    glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    GLFWwindow* w = glfwCreateWindow(64, 64, "safetwin offscreen", nullptr, nullptr);
    if (!w) {
        why = "GLFW cannot create a hidden OpenGL 3.3 core window";
        glfwTerminate();
        return nullptr;
    }
    glfwMakeContextCurrent(w);
    return std::make_unique<GlfwHiddenContext>(w);
}

}  // namespace

std::unique_ptr<OffscreenContext> OffscreenContext::create() {
    // SAFETWIN_GL_CONTEXT=egl or glfw forces one way (to test the fallback, or to avoid a
    // broken EGL driver); unset: EGL first.
    const char* force = std::getenv("SAFETWIN_GL_CONTEXT");
    const std::string only = force ? force : "";
    std::string whyEgl = "EGL not tried (SAFETWIN_GL_CONTEXT=" + only + ")", whyGlfw = "GLFW not tried (SAFETWIN_GL_CONTEXT=" + only + ")";
    if (only != "glfw")
        if (auto c = tryEgl(whyEgl)) return c;
    if (only != "egl")
        if (auto c = tryGlfw(whyGlfw)) return c;
    throw std::runtime_error("no OpenGL context for offscreen drawing: " + whyEgl + "; " + whyGlfw);
}

std::string OffscreenContext::renderer() const { return gl::rendererName(); }

OffscreenTarget::OffscreenTarget(int width, int height, int samples)
    : w_(width), h_(height), samples_(samples > 1 ? samples : 0) {
    if (width <= 0 || height <= 0) throw std::invalid_argument("OffscreenTarget: empty size");
    GLint maxSize = 0, maxSamples = 0;
    glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &maxSize);
    glGetIntegerv(GL_MAX_SAMPLES, &maxSamples);
    if (width > maxSize || height > maxSize)
        throw std::runtime_error("image size " + std::to_string(width) + "x" + std::to_string(height) +
                                 " exceeds the renderer's limit of " + std::to_string(maxSize) + " pixels");
    if (samples_ > maxSamples) samples_ = maxSamples > 1 ? maxSamples : 0;
    GLuint ids[2];
    glGenFramebuffers(1, &ids[0]);
    fbo_ = ids[0];
    glGenRenderbuffers(2, ids);
    colour_ = ids[0];
    depth_ = ids[1];
    glBindRenderbuffer(GL_RENDERBUFFER, colour_);
    glRenderbufferStorageMultisample(GL_RENDERBUFFER, samples_, GL_RGBA8, w_, h_);
    glBindRenderbuffer(GL_RENDERBUFFER, depth_);
    glRenderbufferStorageMultisample(GL_RENDERBUFFER, samples_, GL_DEPTH24_STENCIL8, w_, h_);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, colour_);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_STENCIL_ATTACHMENT, GL_RENDERBUFFER, depth_);
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
        throw std::runtime_error("offscreen framebuffer incomplete");
    if (samples_ > 1) {
        GLuint f = 0, r = 0;
        glGenFramebuffers(1, &f);
        glGenRenderbuffers(1, &r);
        resolveFbo_ = f;
        resolveColour_ = r;
        glBindRenderbuffer(GL_RENDERBUFFER, resolveColour_);
        glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, w_, h_);
        glBindFramebuffer(GL_FRAMEBUFFER, resolveFbo_);
        glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, resolveColour_);
        if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
            throw std::runtime_error("offscreen resolve framebuffer incomplete");
    }
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

OffscreenTarget::~OffscreenTarget() {
    GLuint f[2] = {fbo_, resolveFbo_};
    GLuint r[3] = {colour_, depth_, resolveColour_};
    glDeleteFramebuffers(2, f);
    glDeleteRenderbuffers(3, r);
}

void OffscreenTarget::bind() {
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
    glViewport(0, 0, w_, h_);
}

std::vector<uint8_t> OffscreenTarget::readRgb() {
    GLuint from = fbo_;
    if (samples_ > 1) {
        glBindFramebuffer(GL_READ_FRAMEBUFFER, fbo_);
        glBindFramebuffer(GL_DRAW_FRAMEBUFFER, resolveFbo_);
        glBlitFramebuffer(0, 0, w_, h_, 0, 0, w_, h_, GL_COLOR_BUFFER_BIT, GL_NEAREST);
        from = resolveFbo_;
    }
    glBindFramebuffer(GL_READ_FRAMEBUFFER, from);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    std::vector<uint8_t> flipped(size_t(w_) * size_t(h_) * 3);
    glReadPixels(0, 0, w_, h_, GL_RGB, GL_UNSIGNED_BYTE, flipped.data());
    gl::checkError("glReadPixels");
    // OpenGL rows run from the bottom; images from the top.
    std::vector<uint8_t> rgb(flipped.size());
    const size_t row = size_t(w_) * 3;
    for (int y = 0; y < h_; ++y)
        std::memcpy(&rgb[size_t(y) * row], &flipped[size_t(h_ - 1 - y) * row], row);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
    return rgb;
}

void OffscreenTarget::finish() { glFinish(); }

namespace {
void appendBytes(void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), size_t(size));
}
}  // namespace

std::string encodePng(const std::vector<uint8_t>& rgb, int width, int height) {
    std::string png;
    if (!stbi_write_png_to_func(appendBytes, &png, width, height, 3, rgb.data(), width * 3))
        throw std::runtime_error("could not encode a PNG image");
    return png;
}

}  // namespace safetwin::render
