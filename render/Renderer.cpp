// OpenGL drawing of a Frame over the scene (see Renderer.hpp). Static geometry is built once
// (RendererGeometry.cpp) and uploaded; per draw only the doors, exits and markers (a few
// hundred triangles), the agents' instance data, the maps' textures and, when the gas volume
// changes, the threshold surface are uploaded.
#include "render/Renderer.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "render/RendererGeometry.hpp"
#include "render/gl/Gl.hpp"
#include "scenes/Scene.hpp"

namespace safetwin::render {

namespace {

constexpr int kMaxLevels = 32;   // levels the shaders distinguish (more share the last)
constexpr double kChunkSize = 10.0;   // static geometry is culled and simplified in squares this wide [m]
constexpr double kLodCell = 0.05;     // vertex snapping of the simplified version [m]
constexpr double kLodPixels = 1.5;    // simplified where kLodCell looks smaller than this [px]

const char* kMeshVs = R"(#version 330 core
layout(location = 0) in vec3 aPos;
layout(location = 1) in vec3 aNormal;
layout(location = 2) in vec4 aColour;
layout(location = 3) in vec2 aLevelKind;
uniform mat4 uViewProj;
uniform float uLevelOffset[32];
uniform float uLevelVisible[32];
uniform float uLevelElev[32];
uniform float uWallCut;
out vec4 vColour;
void main() {
    int l = clamp(int(aLevelKind.x + 0.5), 0, 31);
    vec3 p = aPos;
    if (aLevelKind.y > 0.5) p.z = min(p.z, uLevelElev[l] + uWallCut);
    p.z += uLevelOffset[l];
    vec3 n = normalize(aNormal);
    float light = 0.5 + 0.38 * abs(dot(n, vec3(0.3577, 0.2555, 0.8980))) + 0.12 * abs(dot(n, vec3(-0.6446, 0.7520, 0.2149)));
    vColour = vec4(aColour.rgb * light, aColour.a);
    gl_Position = uLevelVisible[l] > 0.5 ? uViewProj * vec4(p, 1.0) : vec4(2.0, 2.0, 2.0, 1.0);
}
)";

const char* kMeshFs = R"(#version 330 core
in vec4 vColour;
uniform float uAlpha;
out vec4 fragColour;
void main() {
    fragColour = vec4(vColour.rgb, vColour.a * uAlpha);
}
)";

const char* kBodyVs = R"(#version 330 core
layout(location = 0) in vec3 aPos;      // unit body: radius 1, height 1
layout(location = 1) in vec3 aNormal;
layout(location = 2) in float aShade;
layout(location = 3) in vec4 iPosR;     // x, y, z (feet), radius
layout(location = 4) in vec2 iHeading;
layout(location = 5) in vec4 iColour;
uniform mat4 uViewProj;
uniform float uBodyHeight;
out vec3 vColour;
void main() {
    vec2 h = iHeading;
    vec2 s = vec2(-h.y, h.x);
    vec2 lp = aPos.xy * iPosR.w;
    vec3 wp = vec3(iPosR.xy + h * lp.x + s * lp.y, iPosR.z + aPos.z * uBodyHeight);
    vec3 n = normalize(vec3(h * aNormal.x + s * aNormal.y, aNormal.z));
    float light = 0.55 + 0.45 * max(dot(n, vec3(0.3577, 0.2555, 0.8980)), 0.0);
    vColour = min(iColour.rgb * aShade, vec3(1.0)) * light;
    gl_Position = uViewProj * vec4(wp, 1.0);
}
)";

const char* kBodyFs = R"(#version 330 core
in vec3 vColour;
out vec4 fragColour;
void main() {
    fragColour = vec4(vColour, 1.0);
}
)";

const char* kImpostorVs = R"(#version 330 core
layout(location = 0) in vec4 iPosR;
layout(location = 2) in vec4 iColour;
uniform mat4 uViewProj;
uniform float uBodyHeight;
uniform float uPixelScale;   // projection[1][1] * viewport height / 2
out vec3 vColour;
void main() {
    gl_Position = uViewProj * vec4(iPosR.xy, iPosR.z + 0.5 * uBodyHeight, 1.0);
    float r = max(iPosR.w * 1.5, 0.25) * uPixelScale / max(gl_Position.w, 1e-3);
    gl_PointSize = max(2.0 * r, 2.5);
    vColour = iColour.rgb;
}
)";

const char* kImpostorFs = R"(#version 330 core
in vec3 vColour;
out vec4 fragColour;
void main() {
    vec2 c = gl_PointCoord * 2.0 - 1.0;
    float d = dot(c, c);
    if (d > 1.0) discard;
    fragColour = vec4(vColour * (0.6 + 0.4 * sqrt(1.0 - d)), 1.0);
}
)";

const char* kMapVs = R"(#version 330 core
layout(location = 0) in vec3 aPos;
layout(location = 1) in vec2 aUv;
uniform mat4 uViewProj;
out vec2 vUv;
void main() {
    vUv = aUv;
    gl_Position = uViewProj * vec4(aPos, 1.0);
}
)";

const char* kMapFs = R"(#version 330 core
in vec2 vUv;
uniform sampler2D uTex;
out vec4 fragColour;
void main() {
    vec4 c = texture(uTex, vUv);
    if (c.a < 0.01) discard;
    fragColour = c;
}
)";

/// What chunked static meshes need to cull and pick a version per draw.
struct ChunkView {
    Mat4 vp;
    std::array<double, 3> eye{};
    bool ortho = false;
    double pixelScale = 1;            // pixels per metre at distance 1 (perspective) or anywhere (ortho)
    double lodCell = 0.05;            // cell of the simplified version [Units: m]
    double lodPixels = 1.5;           // simplified where a cell looks smaller than this [Units: px]
    const float* levelOffset = nullptr;
    const float* levelVisible = nullptr;
};

struct GpuMesh {
    GLuint vao = 0, vbo = 0;
    GLsizei count = 0;
    std::vector<ChunkedMesh::Chunk> chunks;   // empty: one plain range
    std::vector<GLint> firsts;
    std::vector<GLsizei> counts;
    std::vector<std::pair<double, size_t>> order;   // (distance, chunk) of the chunks drawn
    void create() {
        glGenVertexArrays(1, &vao);
        glGenBuffers(1, &vbo);
        glBindVertexArray(vao);
        glBindBuffer(GL_ARRAY_BUFFER, vbo);
        const GLsizei stride = sizeof(MeshVertex);
        glEnableVertexAttribArray(0);
        glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(offsetof(MeshVertex, p)));
        glEnableVertexAttribArray(1);
        glVertexAttribPointer(1, 3, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(offsetof(MeshVertex, n)));
        glEnableVertexAttribArray(2);
        glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, stride, reinterpret_cast<void*>(offsetof(MeshVertex, c)));
        glEnableVertexAttribArray(3);
        glVertexAttribPointer(3, 2, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(offsetof(MeshVertex, level)));
        glBindVertexArray(0);
    }
    void upload(const std::vector<MeshVertex>& v, bool dynamic) {
        if (!vao) create();
        glBindBuffer(GL_ARRAY_BUFFER, vbo);
        glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(v.size() * sizeof(MeshVertex)), v.empty() ? nullptr : v.data(),
                     dynamic ? GL_STREAM_DRAW : GL_STATIC_DRAW);
        count = GLsizei(v.size());
    }
    void draw() const {
        if (!count) return;
        glBindVertexArray(vao);
        glDrawArrays(GL_TRIANGLES, 0, count);
    }
    void upload(const ChunkedMesh& c) {
        upload(c.v, false);
        chunks = c.chunks;
    }
    /// Draws the chunks in view, each in full or simplified by its distance, levels from the
    /// highest down and each level's chunks nearest first (early depth rejection). Returns
    /// the triangles drawn.
    size_t drawChunks(const ChunkView& cv) {
        if (chunks.empty()) {
            draw();
            return size_t(count) / 3;
        }
        if (!count) return 0;
        firsts.clear();
        counts.clear();
        order.clear();
        size_t tris = 0;
        auto flush = [&]() {
            std::sort(order.begin(), order.end());
            for (const auto& [d, k] : order) {
                const ChunkedMesh::Chunk& c = chunks[k];
                const int lod = cv.ortho ? (cv.lodCell * cv.pixelScale < cv.lodPixels)
                                         : (cv.lodCell * cv.pixelScale < cv.lodPixels * std::max(d, 1e-3));
                if (!c.count[lod]) continue;
                firsts.push_back(c.first[lod]);
                counts.push_back(c.count[lod]);
                tris += size_t(c.count[lod]) / 3;
            }
            order.clear();
        };
        for (size_t k = 0; k < chunks.size(); ++k) {
            const ChunkedMesh::Chunk& c = chunks[k];
            if (k > 0 && c.level != chunks[k - 1].level) flush();
            const int l = std::clamp(c.level, 0, 31);
            if (cv.levelVisible && cv.levelVisible[l] < 0.5f) continue;
            const float dz = cv.levelOffset ? cv.levelOffset[l] : 0.0f;
            // outside the view: all eight corners beyond one clip plane
            int outside[6] = {0, 0, 0, 0, 0, 0};
            for (int corner = 0; corner < 8; ++corner) {
                const auto q = cv.vp.apply(corner & 1 ? c.hi[0] : c.lo[0], corner & 2 ? c.hi[1] : c.lo[1],
                                           (corner & 4 ? c.hi[2] : c.lo[2]) + dz);
                for (int a = 0; a < 3; ++a) {
                    outside[2 * a] += q[size_t(a)] < -q[3];
                    outside[2 * a + 1] += q[size_t(a)] > q[3];
                }
            }
            if (std::any_of(outside, outside + 6, [](int n) { return n == 8; })) continue;
            double d2 = 0;
            for (int a = 0; a < 3; ++a) {
                const double lo = c.lo[a] + (a == 2 ? dz : 0.0f), hi = c.hi[a] + (a == 2 ? dz : 0.0f);
                const double e = cv.eye[size_t(a)], g = e < lo ? lo - e : e > hi ? e - hi : 0.0;
                d2 += g * g;
            }
            order.emplace_back(std::sqrt(d2), k);
        }
        flush();
        if (firsts.empty()) return 0;
        glBindVertexArray(vao);
        glMultiDrawArrays(GL_TRIANGLES, firsts.data(), counts.data(), GLsizei(firsts.size()));
        return tris;
    }
    void destroy() {
        if (vbo) glDeleteBuffers(1, &vbo);
        if (vao) glDeleteVertexArrays(1, &vao);
        vao = vbo = 0;
    }
};

struct AgentInstance {
    float x, y, z, r;
    float hx, hy;
    uint8_t c[4];
};
static_assert(sizeof(AgentInstance) == 28, "instance layout");

struct BodyVertex {
    float p[3], n[3], shade;
};

/// A person: a hexagonal body (narrower front to back than across the shoulders, so the
/// heading shows) and a head, radius 1 and height 1 in body units.
std::vector<BodyVertex> bodyMesh() {
    std::vector<BodyVertex> v;
    constexpr double kPi = 3.14159265358979323846;
    // 30 triangles: under a software renderer every triangle's set-up counts
    auto ring = [&](int kSides, double r, double depth, double z0, double z1, float shade) {
        for (int k = 0; k < kSides; ++k) {
            const double a0 = 2 * kPi * k / kSides, a1 = 2 * kPi * (k + 1) / kSides, am = 0.5 * (a0 + a1);
            const float x0 = float(depth * r * std::cos(a0)), y0 = float(r * std::sin(a0));
            const float x1 = float(depth * r * std::cos(a1)), y1 = float(r * std::sin(a1));
            const float nx = float(std::cos(am) / depth), ny = float(std::sin(am));
            const float b = float(z0), t = float(z1);
            const BodyVertex q[6] = {{{x0, y0, b}, {nx, ny, 0}, shade}, {{x1, y1, b}, {nx, ny, 0}, shade},
                                     {{x1, y1, t}, {nx, ny, 0}, shade}, {{x0, y0, b}, {nx, ny, 0}, shade},
                                     {{x1, y1, t}, {nx, ny, 0}, shade}, {{x0, y0, t}, {nx, ny, 0}, shade}};
            v.insert(v.end(), q, q + 6);
            const BodyVertex cap[3] = {{{0, 0, t}, {0, 0, 1}, shade}, {{x0, y0, t}, {0, 0, 1}, shade}, {{x1, y1, t}, {0, 0, 1}, shade}};
            v.insert(v.end(), cap, cap + 3);
        }
    };
    ring(6, 1.0, 0.7, 0.0, 0.84, 1.0f);    // body
    ring(4, 0.55, 1.0, 0.86, 1.0, 1.3f);   // head, lighter
    return v;
}

void u8Colour(const std::array<float, 3>& c, uint8_t* out) {
    for (int k = 0; k < 3; ++k) out[k] = uint8_t(std::clamp(c[size_t(k)], 0.0f, 1.0f) * 255.0f + 0.5f);
    out[3] = 255;
}

}  // namespace

std::array<float, 3> stateColour(AgentVisual v) {
    switch (v) {
        case AgentVisual::Waiting: return {0.25f, 0.55f, 1.0f};       // blue
        case AgentVisual::Moving: return {0.15f, 0.85f, 0.3f};        // green
        case AgentVisual::Out: return {0.6f, 0.6f, 0.6f};             // grey
        case AgentVisual::Exposed: return {1.0f, 0.6f, 0.0f};         // orange
        case AgentVisual::Incapacitated: return {0.9f, 0.05f, 0.05f}; // red
        case AgentVisual::Trapped: return {0.85f, 0.2f, 0.85f};       // magenta
    }
    return {1, 1, 1};
}

const char* stateName(AgentVisual v) {
    switch (v) {
        case AgentVisual::Waiting: return "waiting";
        case AgentVisual::Moving: return "moving";
        case AgentVisual::Out: return "out";
        case AgentVisual::Exposed: return "exposed";
        case AgentVisual::Incapacitated: return "incapacitated";
        case AgentVisual::Trapped: return "trapped";
    }
    return "?";
}

std::array<float, 3> rampColour(double t) {
    // blue -> cyan -> green -> yellow -> red
    static constexpr float kStops[5][3] = {{0.2f, 0.3f, 1.0f}, {0.1f, 0.8f, 0.9f}, {0.2f, 0.85f, 0.2f}, {1.0f, 0.9f, 0.1f}, {0.95f, 0.1f, 0.1f}};
    t = std::isfinite(t) ? std::clamp(t, 0.0, 1.0) * 4.0 : 0.0;
    const int k = std::min(3, int(t));
    const float f = float(t - k);
    return {kStops[k][0] + f * (kStops[k + 1][0] - kStops[k][0]), kStops[k][1] + f * (kStops[k + 1][1] - kStops[k][1]),
            kStops[k][2] + f * (kStops[k + 1][2] - kStops[k][2])};
}

std::array<float, 3> fruinColour(int level) {
    static constexpr float kC[6][3] = {{0.55f, 0.85f, 0.55f}, {0.3f, 0.75f, 0.3f}, {0.95f, 0.9f, 0.2f},
                                       {1.0f, 0.6f, 0.1f},   {0.9f, 0.2f, 0.1f}, {0.5f, 0.0f, 0.15f}};
    return {kC[std::clamp(level, 0, 5)][0], kC[std::clamp(level, 0, 5)][1], kC[std::clamp(level, 0, 5)][2]};
}

std::array<float, 4> gasColour(double ppm, double threshold) {
    if (!(ppm > 0) || !(threshold > 0) || ppm < 0.01 * threshold) return {0, 0, 0, 0};
    // the report's scale: yellow L/100, orange L/10, red L, purple 10 L, black 100 L
    static constexpr float kS[5][3] = {{1.0f, 0.95f, 0.3f}, {1.0f, 0.6f, 0.1f}, {0.9f, 0.1f, 0.1f}, {0.55f, 0.1f, 0.6f}, {0.05f, 0.05f, 0.05f}};
    const double t = std::clamp(std::log10(ppm / threshold) + 2.0, 0.0, 4.0);
    const int k = std::min(3, int(t));
    const float f = float(t - k);
    return {kS[k][0] + f * (kS[k + 1][0] - kS[k][0]), kS[k][1] + f * (kS[k + 1][1] - kS[k][1]),
            kS[k][2] + f * (kS[k + 1][2] - kS[k][2]), 0.35f + 0.1f * float(t)};
}

struct Renderer::Impl {
    const Scene& scene;
    GLuint meshProgram = 0, bodyProgram = 0, impostorProgram = 0, mapProgram = 0;
    GpuMesh opaque, upperFloors, walls, glass, roofs, dynamic, surface;
    GLuint bodyVao = 0, bodyVbo = 0, instanceVbo = 0, impostorVao = 0, impostorVbo = 0;
    GLsizei bodyCount = 0;
    GLuint mapVao = 0, mapVbo = 0, mapTex = 0;
    std::shared_ptr<const GasVolume> surfaceOf;   // volume the cached surface was built from (kept alive)
    double surfaceThreshold = -1;
    int surfaceTriangles = 0;
    std::vector<int> levelRank;             // by elevation
    std::vector<AgentInstance> bodies, impostors;
    std::vector<float> wOf;                 // clip w per body candidate (nearest first)

    explicit Impl(const Scene& s) : scene(s) {}
};

Renderer::Renderer(const Scene& scene) : impl_(std::make_unique<Impl>(scene)) {
    Impl& m = *impl_;
    m.meshProgram = gl::buildProgram(kMeshVs, kMeshFs, "mesh");
    m.bodyProgram = gl::buildProgram(kBodyVs, kBodyFs, "body");
    m.impostorProgram = gl::buildProgram(kImpostorVs, kImpostorFs, "impostor");
    m.mapProgram = gl::buildProgram(kMapVs, kMapFs, "map");

    SceneGeometry g = buildSceneGeometry(scene, true);
    // In chunks, upper levels first: seen from above they are in front, so the depth test
    // rejects the hidden lower storeys before they are shaded (llvmpipe tests depth early too).
    m.opaque.upload(chunkMesh(g.opaque.v, kChunkSize, kLodCell));
    m.upperFloors.upload(chunkMesh(g.upperFloors.v, kChunkSize, kLodCell));
    m.walls.upload(chunkMesh(g.walls.v, kChunkSize, kLodCell));
    m.glass.upload(chunkMesh(g.glass.v, kChunkSize, kLodCell));
    m.roofs.upload(chunkMesh(g.roofs.v, kChunkSize, kLodCell));
    stats_.scene_triangles = int(g.opaque.triangles() + g.upperFloors.triangles() + g.walls.triangles() + g.glass.triangles() + g.roofs.triangles());

    // levels ranked by elevation, for the exploded view
    std::vector<int> order(scene.levels.size());
    for (size_t l = 0; l < order.size(); ++l) order[l] = int(l);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return scene.levels[size_t(a)].elevation < scene.levels[size_t(b)].elevation; });
    m.levelRank.assign(order.size(), 0);
    for (size_t r = 0; r < order.size(); ++r) m.levelRank[size_t(order[r])] = int(r);

    // person mesh + instance buffer
    const auto body = bodyMesh();
    m.bodyCount = GLsizei(body.size());
    glGenVertexArrays(1, &m.bodyVao);
    glGenBuffers(1, &m.bodyVbo);
    glGenBuffers(1, &m.instanceVbo);
    glBindVertexArray(m.bodyVao);
    glBindBuffer(GL_ARRAY_BUFFER, m.bodyVbo);
    glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(body.size() * sizeof(BodyVertex)), body.data(), GL_STATIC_DRAW);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, sizeof(BodyVertex), reinterpret_cast<void*>(offsetof(BodyVertex, p)));
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 3, GL_FLOAT, GL_FALSE, sizeof(BodyVertex), reinterpret_cast<void*>(offsetof(BodyVertex, n)));
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(2, 1, GL_FLOAT, GL_FALSE, sizeof(BodyVertex), reinterpret_cast<void*>(offsetof(BodyVertex, shade)));
    glBindBuffer(GL_ARRAY_BUFFER, m.instanceVbo);
    const GLsizei is = sizeof(AgentInstance);
    glEnableVertexAttribArray(3);
    glVertexAttribPointer(3, 4, GL_FLOAT, GL_FALSE, is, reinterpret_cast<void*>(offsetof(AgentInstance, x)));
    glVertexAttribDivisor(3, 1);
    glEnableVertexAttribArray(4);
    glVertexAttribPointer(4, 2, GL_FLOAT, GL_FALSE, is, reinterpret_cast<void*>(offsetof(AgentInstance, hx)));
    glVertexAttribDivisor(4, 1);
    glEnableVertexAttribArray(5);
    glVertexAttribPointer(5, 4, GL_UNSIGNED_BYTE, GL_TRUE, is, reinterpret_cast<void*>(offsetof(AgentInstance, c)));
    glVertexAttribDivisor(5, 1);

    glGenVertexArrays(1, &m.impostorVao);
    glGenBuffers(1, &m.impostorVbo);
    glBindVertexArray(m.impostorVao);
    glBindBuffer(GL_ARRAY_BUFFER, m.impostorVbo);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 4, GL_FLOAT, GL_FALSE, is, reinterpret_cast<void*>(offsetof(AgentInstance, x)));
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, is, reinterpret_cast<void*>(offsetof(AgentInstance, c)));

    // maps: a textured quad
    glGenVertexArrays(1, &m.mapVao);
    glGenBuffers(1, &m.mapVbo);
    glBindVertexArray(m.mapVao);
    glBindBuffer(GL_ARRAY_BUFFER, m.mapVbo);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 5 * sizeof(float), nullptr);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, 5 * sizeof(float), reinterpret_cast<void*>(3 * sizeof(float)));
    glGenTextures(1, &m.mapTex);
    glBindVertexArray(0);
    gl::checkError("Renderer setup");
}

Renderer::~Renderer() {
    Impl& m = *impl_;
    for (GpuMesh* g : {&m.opaque, &m.upperFloors, &m.walls, &m.glass, &m.roofs, &m.dynamic, &m.surface}) g->destroy();
    GLuint buffers[5] = {m.bodyVbo, m.instanceVbo, m.impostorVbo, m.mapVbo, 0};
    glDeleteBuffers(4, buffers);
    GLuint arrays[3] = {m.bodyVao, m.impostorVao, m.mapVao};
    glDeleteVertexArrays(3, arrays);
    glDeleteTextures(1, &m.mapTex);
    for (GLuint p : {m.meshProgram, m.bodyProgram, m.impostorProgram, m.mapProgram}) glDeleteProgram(p);
}

const Scene& Renderer::scene() const { return impl_->scene; }

double Renderer::levelOffset(int level, const DrawOptions& options) const {
    if (options.levels != LevelMode::Exploded || level < 0 || size_t(level) >= impl_->levelRank.size()) return 0.0;
    return impl_->levelRank[size_t(level)] * options.explode_gap;
}

int Renderer::levelOfZ(double z) const { return levelOfElevation(impl_->scene, z); }

namespace {

/// Colours a (ny x nx) map into RGBA and draws it as a quad at height z.
void drawMap(GLuint program, GLuint vao, GLuint vbo, GLuint tex, const std::vector<uint8_t>& rgba, int nx, int ny,
             double x0, double y0, double cell, double z) {
    glBindTexture(GL_TEXTURE_2D, tex);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, nx, ny, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    const float X0 = float(x0), Y0 = float(y0), X1 = float(x0 + nx * cell), Y1 = float(y0 + ny * cell), Z = float(z);
    const float quad[30] = {X0, Y0, Z, 0, 0, X1, Y0, Z, 1, 0, X1, Y1, Z, 1, 1, X0, Y0, Z, 0, 0, X1, Y1, Z, 1, 1, X0, Y1, Z, 0, 1};
    glUseProgram(program);
    glBindVertexArray(vao);
    glBindBuffer(GL_ARRAY_BUFFER, vbo);
    glBufferData(GL_ARRAY_BUFFER, sizeof quad, quad, GL_STREAM_DRAW);
    glDrawArrays(GL_TRIANGLES, 0, 6);
}

}  // namespace

void Renderer::draw(const Frame& frame, const Camera& camera, const DrawOptions& o, int width, int height) {
    Impl& m = *impl_;
    const Scene& scene = m.scene;
    stats_.bodies = stats_.impostors = 0;
    width = std::max(1, width);
    height = std::max(1, height);
    glViewport(0, 0, width, height);
    if (o.clear) {
        glClearColor(o.background[0], o.background[1], o.background[2], 1.0f);
        glClearDepth(1.0);
        glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    }
    glEnable(GL_DEPTH_TEST);
    glDepthFunc(GL_LEQUAL);
    glDepthMask(GL_TRUE);
    glDisable(GL_CULL_FACE);
    glDisable(GL_BLEND);
    glDisable(GL_SCISSOR_TEST);

    const Mat4 vp = camera.viewProjection(width, height);
    const Mat4 proj = camera.projectionMatrix(double(width) / double(height));

    // Level uniforms
    const size_t nl = scene.levels.size();
    float offset[kMaxLevels] = {}, visible[kMaxLevels] = {}, elev[kMaxLevels] = {};
    double lowestShown = 1e300;
    for (size_t l = 0; l < size_t(kMaxLevels); ++l) {
        const size_t src = std::min(l, nl ? nl - 1 : 0);
        const bool shown = nl == 0 || o.levels != LevelMode::One || int(src) == o.level;
        visible[l] = shown ? 1.0f : 0.0f;
        offset[l] = float(levelOffset(int(src), o));
        elev[l] = nl ? float(scene.levels[src].elevation) : 0.0f;
        if (shown && nl && l < nl) lowestShown = std::min(lowestShown, scene.levels[src].elevation);
    }
    std::vector<uint8_t> levelShown(std::max<size_t>(nl, 1), 1);
    for (size_t l = 0; l < nl; ++l) levelShown[l] = o.levels != LevelMode::One || int(l) == o.level;

    glUseProgram(m.meshProgram);
    glUniformMatrix4fv(glGetUniformLocation(m.meshProgram, "uViewProj"), 1, GL_FALSE, vp.m.data());
    glUniform1fv(glGetUniformLocation(m.meshProgram, "uLevelOffset"), kMaxLevels, offset);
    glUniform1fv(glGetUniformLocation(m.meshProgram, "uLevelVisible"), kMaxLevels, visible);
    glUniform1fv(glGetUniformLocation(m.meshProgram, "uLevelElev"), kMaxLevels, elev);
    const GLint uWallCut = glGetUniformLocation(m.meshProgram, "uWallCut");
    const GLint uAlpha = glGetUniformLocation(m.meshProgram, "uAlpha");
    glUniform1f(uWallCut, 1e6f);
    glUniform1f(uAlpha, 1.0f);

    ChunkView cv;
    cv.vp = vp;
    cv.eye = camera.eye();
    cv.ortho = camera.projection == Camera::Projection::Orthographic;
    cv.pixelScale = double(proj.m[5]) * height * 0.5;
    cv.lodCell = kLodCell;
    cv.lodPixels = kLodPixels;
    cv.levelOffset = offset;
    cv.levelVisible = visible;
    size_t drawn = 0;

    // 1. Opaque scene, doors, exits, markers
    drawn += m.opaque.drawChunks(cv);
    const bool floorsBlended = o.upper_floors_see_through && o.levels == LevelMode::All;
    if (!floorsBlended) drawn += m.upperFloors.drawChunks(cv);
    if (o.walls != WallMode::SeeThrough) {
        glUniform1f(uWallCut, o.walls == WallMode::CutAway ? float(o.cut_height) : 1e6f);
        drawn += m.walls.drawChunks(cv);
        if (o.walls == WallMode::Solid) drawn += m.roofs.drawChunks(cv);   // cut away or see-through: no roofs, nobody hidden
        glUniform1f(uWallCut, 1e6f);
    }
    {
        MeshBuilder dyn;
        addDoorsAndExits(dyn, scene, frame.door_closed);
        if (o.show_markers) addMarkers(dyn, scene, frame);
        m.dynamic.upload(dyn.v, true);
        m.dynamic.draw();
    }

    // 2. People
    if (o.show_agents && !frame.agents.empty()) {
        m.bodies.clear();
        m.impostors.clear();
        m.wOf.clear();
        const double pixelScale = double(proj.m[5]) * height * 0.5;
        const bool ortho = camera.projection == Camera::Projection::Orthographic;
        std::vector<std::pair<float, AgentInstance>> candidates;
        for (const AgentSample& a : frame.agents) {
            const int l = nl ? levelOfElevation(scene, a.z) : 0;
            if (nl && !levelShown[size_t(l)]) continue;
            AgentInstance inst;
            inst.x = a.x;
            inst.y = a.y;
            inst.z = a.z + float(levelOffset(l, o));
            inst.r = a.radius > 0 ? a.radius : 0.2f;
            const float hn = std::sqrt(a.ex * a.ex + a.ey * a.ey);
            inst.hx = hn > 0 ? a.ex / hn : 1.0f;
            inst.hy = hn > 0 ? a.ey / hn : 0.0f;
            std::array<float, 3> c;
            switch (o.colour_by) {
                case ColourBy::State: c = stateColour(a.visual); break;
                case ColourBy::Speed: c = rampColour(a.speed / o.speed_max); break;
                case ColourBy::Dose: c = a.dose > 0 ? rampColour(a.dose / o.dose_max) : std::array<float, 3>{0.7f, 0.75f, 0.8f}; break;
            }
            u8Colour(c, inst.c);
            const auto clip = vp.apply(inst.x, inst.y, inst.z + 0.5 * o.body_height);
            const double w = ortho ? 1.0 : clip[3];
            if (clip[3] <= 1e-6) continue;   // behind the eye
            const double margin = 1.2;
            if (std::abs(clip[0]) > margin * clip[3] + 0.5 || std::abs(clip[1]) > margin * clip[3] + 0.5) continue;
            const double rpx = inst.r * pixelScale / w;
            if (rpx < o.impostor_pixels) m.impostors.push_back(inst);
            else candidates.emplace_back(float(clip[3]), inst);
        }
        if (int(candidates.size()) > o.body_budget) {
            const auto nth = candidates.begin() + std::max(0, o.body_budget);
            std::nth_element(candidates.begin(), nth, candidates.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; });
            for (auto it = nth; it != candidates.end(); ++it) m.impostors.push_back(it->second);
            candidates.erase(nth, candidates.end());
        }
        for (const auto& cnd : candidates) m.bodies.push_back(cnd.second);
        stats_.bodies = int(m.bodies.size());
        stats_.impostors = int(m.impostors.size());
        if (!m.bodies.empty()) {
            glUseProgram(m.bodyProgram);
            glUniformMatrix4fv(glGetUniformLocation(m.bodyProgram, "uViewProj"), 1, GL_FALSE, vp.m.data());
            glUniform1f(glGetUniformLocation(m.bodyProgram, "uBodyHeight"), float(o.body_height));
            glBindVertexArray(m.bodyVao);
            glBindBuffer(GL_ARRAY_BUFFER, m.instanceVbo);
            glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(m.bodies.size() * sizeof(AgentInstance)), m.bodies.data(), GL_STREAM_DRAW);
            glDrawArraysInstanced(GL_TRIANGLES, 0, m.bodyCount, GLsizei(m.bodies.size()));
        }
        if (!m.impostors.empty()) {
            glEnable(GL_PROGRAM_POINT_SIZE);
            glUseProgram(m.impostorProgram);
            glUniformMatrix4fv(glGetUniformLocation(m.impostorProgram, "uViewProj"), 1, GL_FALSE, vp.m.data());
            glUniform1f(glGetUniformLocation(m.impostorProgram, "uBodyHeight"), float(o.body_height));
            glUniform1f(glGetUniformLocation(m.impostorProgram, "uPixelScale"), float(ortho ? pixelScale : pixelScale));
            glBindVertexArray(m.impostorVao);
            glBindBuffer(GL_ARRAY_BUFFER, m.impostorVbo);
            glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(m.impostors.size() * sizeof(AgentInstance)), m.impostors.data(), GL_STREAM_DRAW);
            glDrawArrays(GL_POINTS, 0, GLsizei(m.impostors.size()));
            glDisable(GL_PROGRAM_POINT_SIZE);
        }
    }

    // 3. Maps on the floors (blended, no depth writes)
    glEnable(GL_BLEND);
    glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
    glDepthMask(GL_FALSE);
    glUseProgram(m.mapProgram);
    glUniformMatrix4fv(glGetUniformLocation(m.mapProgram, "uViewProj"), 1, GL_FALSE, vp.m.data());
    glUniform1i(glGetUniformLocation(m.mapProgram, "uTex"), 0);
    glActiveTexture(GL_TEXTURE0);
    if (o.show_density && !frame.agents.empty() && nl) {
        // people within density_radius of each cell centre / the disc's area, per level
        const double h = std::max(0.1, o.density_cell), R = std::max(h, o.density_radius);
        const double area = 3.14159265358979323846 * R * R;
        for (size_t l = 0; l < nl; ++l) {
            if (!levelShown[l]) continue;
            Box2 b = scene.levelBounds(int(l));
            if (!b.valid()) continue;
            const int nx = std::max(1, int(std::ceil((b.max.x - b.min.x) / h))), ny = std::max(1, int(std::ceil((b.max.y - b.min.y) / h)));
            if (size_t(nx) * size_t(ny) > 16u << 20) continue;
            std::vector<float> count(size_t(nx) * size_t(ny), 0.0f);
            const int reach = int(std::ceil(R / h));
            bool any = false;
            for (const AgentSample& a : frame.agents) {
                if (a.visual == AgentVisual::Out || levelOfElevation(scene, a.z) != int(l)) continue;
                const int ci = int(std::floor((a.x - b.min.x) / h)), cj = int(std::floor((a.y - b.min.y) / h));
                for (int dj = -reach; dj <= reach; ++dj)
                    for (int di = -reach; di <= reach; ++di) {
                        const int i = ci + di, j = cj + dj;
                        if (i < 0 || j < 0 || i >= nx || j >= ny) continue;
                        const double cx = b.min.x + (i + 0.5) * h - a.x, cy = b.min.y + (j + 0.5) * h - a.y;
                        if (cx * cx + cy * cy <= R * R) { count[size_t(j) * size_t(nx) + size_t(i)] += 1.0f; any = true; }
                    }
            }
            if (!any) continue;
            std::vector<uint8_t> rgba(count.size() * 4, 0);
            for (size_t c = 0; c < count.size(); ++c) {
                if (count[c] <= 0) continue;
                const auto col = fruinColour(fruinLevel(count[c] / area));
                u8Colour(col, &rgba[c * 4]);
                rgba[c * 4 + 3] = 150;
            }
            drawMap(m.mapProgram, m.mapVao, m.mapVbo, m.mapTex, rgba, nx, ny, b.min.x, b.min.y, h,
                    scene.levels[l].elevation + 0.05 + levelOffset(int(l), o));
        }
    }
    if (o.show_gas) {
        for (const LevelMap& g : frame.gas_ppm) {
            if (g.nx <= 0 || g.ny <= 0 || g.value.size() < size_t(g.nx) * size_t(g.ny)) continue;
            if (nl && (g.level < 0 || size_t(g.level) >= nl || !levelShown[size_t(g.level)])) continue;
            std::vector<uint8_t> rgba(g.value.size() * 4, 0);
            const double thr = frame.gas_threshold_ppm > 0 ? frame.gas_threshold_ppm : 1.0;
            for (size_t c = 0; c < size_t(g.nx) * size_t(g.ny); ++c) {
                const auto col = gasColour(g.value[c], thr);
                for (int k = 0; k < 4; ++k) rgba[c * 4 + size_t(k)] = uint8_t(std::clamp(col[size_t(k)], 0.0f, 1.0f) * 255.0f + 0.5f);
            }
            const double z = nl ? scene.levels[size_t(g.level)].elevation + 0.08 + levelOffset(g.level, o) : 0.08;
            drawMap(m.mapProgram, m.mapVao, m.mapVbo, m.mapTex, rgba, g.nx, g.ny, g.x0, g.y0, g.cell, z);
        }
    }

    // 4. See-through parts
    glUseProgram(m.meshProgram);
    if (o.walls == WallMode::SeeThrough) {
        glUniform1f(uAlpha, float(o.wall_alpha));
        drawn += m.walls.drawChunks(cv);
    }
    if (floorsBlended) {
        glUniform1f(uAlpha, 0.45f);
        drawn += m.upperFloors.drawChunks(cv);
    }
    stats_.surface_triangles = 0;
    if (o.show_gas_surface && frame.gas_volume && frame.gas_threshold_ppm > 0) {
        if (m.surfaceOf != frame.gas_volume || m.surfaceThreshold != frame.gas_threshold_ppm) {
            MeshBuilder s;
            gasSurface(*frame.gas_volume, frame.gas_threshold_ppm, scene, s);
            m.surface.upload(s.v, true);
            m.surfaceOf = frame.gas_volume;
            m.surfaceThreshold = frame.gas_threshold_ppm;
            m.surfaceTriangles = int(s.triangles());
        }
        glUniform1f(uAlpha, 1.0f);
        m.surface.draw();
        stats_.surface_triangles = m.surfaceTriangles;
    }
    glUniform1f(uAlpha, 1.0f);
    drawn += m.glass.drawChunks(cv);
    stats_.scene_triangles_drawn = int(drawn);

    glDepthMask(GL_TRUE);
    glDisable(GL_BLEND);
    glBindVertexArray(0);
    glUseProgram(0);
}

}  // namespace safetwin::render
