// Internal to render/: the OpenGL headers (core prototypes through GL_GLEXT_PROTOTYPES and
// glvnd's libOpenGL, so no loader) and small helpers for shaders and buffers. Never included
// from a public header, so app/ files do not compile OpenGL.
#pragma once

#ifndef GL_GLEXT_PROTOTYPES
#define GL_GLEXT_PROTOTYPES 1
#endif
#include <GL/gl.h>
#include <GL/glext.h>

#include <string>

namespace safetwin::render::gl {

/// Compiles and links a vertex + fragment program. Throws std::runtime_error with the info log.
GLuint buildProgram(const char* vertex, const char* fragment, const std::string& name);

/// The current context's GL_RENDERER string ("" without a context).
std::string rendererName();

/// Whether the current context draws on the CPU (Mesa's llvmpipe, softpipe or swrast,
/// SwiftShader): there multisampling multiplies the per-pixel work.
bool softwareRenderer();

/// Throws std::runtime_error naming `where` if glGetError() reports an error.
void checkError(const char* where);

}  // namespace safetwin::render::gl
