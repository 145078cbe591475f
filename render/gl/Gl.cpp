// Shader program and error helpers (see Gl.hpp).
#include "render/gl/Gl.hpp"

#include <cstdio>
#include <stdexcept>
#include <vector>

namespace safetwin::render::gl {

namespace {

GLuint compile(GLenum type, const char* src, const std::string& name) {
    const GLuint s = glCreateShader(type);
    glShaderSource(s, 1, &src, nullptr);
    glCompileShader(s);
    GLint ok = 0;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        GLint len = 0;
        glGetShaderiv(s, GL_INFO_LOG_LENGTH, &len);
        std::vector<char> log(size_t(len) + 1, '\0');
        glGetShaderInfoLog(s, len, nullptr, log.data());
        glDeleteShader(s);
        throw std::runtime_error("shader " + name + (type == GL_VERTEX_SHADER ? " (vertex)" : " (fragment)") +
                                 " does not compile: " + log.data());
    }
    return s;
}

}  // namespace

GLuint buildProgram(const char* vertex, const char* fragment, const std::string& name) {
    const GLuint vs = compile(GL_VERTEX_SHADER, vertex, name);
    const GLuint fs = compile(GL_FRAGMENT_SHADER, fragment, name);
    const GLuint p = glCreateProgram();
    glAttachShader(p, vs);
    glAttachShader(p, fs);
    glLinkProgram(p);
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint ok = 0;
    glGetProgramiv(p, GL_LINK_STATUS, &ok);
    if (!ok) {
        GLint len = 0;
        glGetProgramiv(p, GL_INFO_LOG_LENGTH, &len);
        std::vector<char> log(size_t(len) + 1, '\0');
        glGetProgramInfoLog(p, len, nullptr, log.data());
        glDeleteProgram(p);
        throw std::runtime_error("shader program " + name + " does not link: " + log.data());
    }
    return p;
}

std::string rendererName() {
    const GLubyte* s = glGetString(GL_RENDERER);
    return s ? reinterpret_cast<const char*>(s) : "";
}

bool softwareRenderer() {
    const std::string r = rendererName();
    for (const char* name : {"llvmpipe", "softpipe", "swrast", "SwiftShader", "Software Rasterizer"})
        if (r.find(name) != std::string::npos) return true;
    return false;
}

void checkError(const char* where) {
    const GLenum e = glGetError();
    if (e != GL_NO_ERROR) {
        char buf[128];
        std::snprintf(buf, sizeof buf, "OpenGL error 0x%04x in %s", unsigned(e), where);
        throw std::runtime_error(buf);
    }
}

}  // namespace safetwin::render::gl
