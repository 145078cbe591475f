// OpenGL drawing of a Frame over the scene (see Renderer.hpp). Static geometry is built once
// (RendererGeometry.cpp) and uploaded; per draw only the doors, exits and markers (a few
// hundred triangles), the agents' instance data, the maps' textures and, when the gas volume
// changes, the threshold surface are uploaded.
#include "render/Renderer.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>

#include "render/RendererGeometry.hpp"
#include "render/gl/Gl.hpp"
#include "scenes/Scene.hpp"

namespace safetwin::render {

namespace {

constexpr int kMaxLevels = 32;   // levels the shaders distinguish (more share the last)
constexpr double kChunkSize = 10.0;   // static geometry is culled and simplified in squares this wide [m]
const std::vector<double> kLodCells{0.02, 0.05};   // vertex snapping of the simplified versions [m]
constexpr double kLodPixels = 1.5;    // a version is used where its cell looks smaller than this [px]

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
    const std::vector<double>* lodCells = nullptr;   // cells of the simplified versions [Units: m]
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
                const double pixelsPerMetre = cv.ortho ? cv.pixelScale : cv.pixelScale / std::max(d, 1e-3);
                int lod = 0;
                if (cv.lodCells)
                    for (size_t v = 0; v < cv.lodCells->size() && v + 1 < size_t(ChunkedMesh::kMaxLods); ++v)
                        if ((*cv.lodCells)[v] * pixelsPerMetre < cv.lodPixels) lod = int(v) + 1;
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
/// heading shows) and a head, radius 1 and height 1 in body units; `lowPoly`: a four-sided
/// body and a three-sided head, for people a few pixels wide. Closed from above and wound
/// counter-clockwise seen from outside, so back faces can be culled.
std::vector<BodyVertex> bodyMesh(bool lowPoly) {
    std::vector<BodyVertex> v;
    constexpr double kPi = 3.14159265358979323846;
    // 26 triangles (17 low-poly), about half of them facing the eye: under a software
    // renderer every triangle's set-up counts
    auto ring = [&](int kSides, double offset, double r, double depth, double z0, double z1, float shade) {
        float x[8], y[8];
        for (int k = 0; k < kSides; ++k) {
            const double a = offset + 2 * kPi * k / kSides;
            x[k] = float(depth * r * std::cos(a));
            y[k] = float(r * std::sin(a));
        }
        for (int k = 0; k < kSides; ++k) {
            const int k1 = (k + 1) % kSides;
            const double am = offset + 2 * kPi * (k + 0.5) / kSides;
            const float nx = float(std::cos(am) / depth), ny = float(std::sin(am));
            const float b = float(z0), t = float(z1);
            const BodyVertex q[6] = {{{x[k], y[k], b}, {nx, ny, 0}, shade}, {{x[k1], y[k1], b}, {nx, ny, 0}, shade},
                                     {{x[k1], y[k1], t}, {nx, ny, 0}, shade}, {{x[k], y[k], b}, {nx, ny, 0}, shade},
                                     {{x[k1], y[k1], t}, {nx, ny, 0}, shade}, {{x[k], y[k], t}, {nx, ny, 0}, shade}};
            v.insert(v.end(), q, q + 6);
        }
        for (int k = 1; k + 1 < kSides; ++k) {   // top: a fan from the first corner
            const float t = float(z1);
            const BodyVertex cap[3] = {{{x[0], y[0], t}, {0, 0, 1}, shade}, {{x[k], y[k], t}, {0, 0, 1}, shade},
                                       {{x[k + 1], y[k + 1], t}, {0, 0, 1}, shade}};
            v.insert(v.end(), cap, cap + 3);
        }
    };
    ring(lowPoly ? 4 : 6, lowPoly ? kPi / 4 : 0.0, lowPoly ? 1.15 : 1.0, 0.7, 0.0, 0.84, 1.0f);   // body (low-poly: shoulders square)
    ring(lowPoly ? 3 : 4, 0.0, 0.55, 1.0, 0.86, 1.0, 1.3f);                     // head, lighter, a corner forward
    return v;
}

/// Where an impostor lands on screen, for merging those that would hide each other.
struct ImpostorKey {
    float sx, sy;       // disc centre [Units: px]
    float w;            // clip w (distance along the view)
    float radius;       // disc radius as drawn [Units: px]
    uint8_t priority;   // who stays visible when discs merge: higher first, then nearer
};

/// Which state shows when a crowd is too dense on screen for every person to be seen: the
/// ones a safety officer must not miss first.
uint8_t statePriority(AgentVisual v) {
    switch (v) {
        case AgentVisual::Incapacitated: return 4;
        case AgentVisual::Exposed: return 3;
        case AgentVisual::Trapped: return 2;
        case AgentVisual::Waiting: return 1;   // waiting and moving alike, so their mix shows as it is
        case AgentVisual::Moving: return 1;
        case AgentVisual::Out: return 0;
    }
    return 0;
}

/// Screen cells for mergeImpostors, kept between draws (all empty between them).
struct MergeGrids {
    int width = 0, height = 0;
    size_t offset[17] = {};       // first cell of the grid of each cell size [px]
    int columns[17] = {};
    std::vector<uint64_t> cells;  // (255 - priority) << 56 | w's upper 24 bits << 24 | index; ~0 empty
    std::vector<uint32_t> cellOf; // per impostor: its cell, or ~0
};

/// Drops impostors whose disc centre shares a screen cell with a higher-priority (or, equal,
/// nearer) one, the cell being small enough (radius / sqrt 2) that the kept disc covers all of
/// it: in a dense crowd on screen the dropped ones would be hidden behind their neighbours
/// anyway, and each point costs a software rasteriser its set-up and a dozen pixel blocks.
/// Discs under 2.8 px radius are never merged. Keeps the order; returns how many were dropped.
int mergeImpostors(std::vector<AgentInstance>& imp, const std::vector<ImpostorKey>& keys, int width, int height,
                   MergeGrids& m) {
    constexpr int kMinCell = 2, kMaxCell = 16;
    constexpr uint64_t kEmpty = ~uint64_t(0), kNone = ~uint32_t(0);
    if (keys.size() >= (size_t(1) << 24)) return 0;   // the cells hold 24-bit indices
    if (m.width != width || m.height != height) {   // one grid per cell size, side by side
        m.width = width;
        m.height = height;
        size_t total = 0;
        for (int s = kMinCell; s <= kMaxCell; ++s) {
            m.offset[size_t(s)] = total;
            m.columns[size_t(s)] = (width + s - 1) / s;
            total += size_t(m.columns[size_t(s)]) * size_t((height + s - 1) / s);
        }
        m.cells.assign(total, kEmpty);
    }
    // pass 1: each disc claims its cell; the cell keeps the smallest (255 - priority, w, index)
    m.cellOf.resize(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
        const ImpostorKey& k = keys[i];
        const int s = std::min(int(k.radius * 0.70710678f), kMaxCell);
        if (s < kMinCell || !(k.sx >= 0) || !(k.sy >= 0) || k.sx >= float(width) || k.sy >= float(height)) {
            m.cellOf[i] = kNone;
            continue;
        }
        const size_t at = m.offset[size_t(s)] + size_t(int(k.sy) / s) * size_t(m.columns[size_t(s)]) + size_t(int(k.sx) / s);
        m.cellOf[i] = uint32_t(at);
        uint32_t wBits;   // w > 0: its bits order like the value
        const float w = std::max(k.w, 0.0f);
        std::memcpy(&wBits, &w, sizeof wBits);
        const uint64_t score = uint64_t(255 - k.priority) << 56 | uint64_t(wBits >> 8) << 24 | uint64_t(i);
        m.cells[at] = std::min(m.cells[at], score);
    }
    // pass 2: keep the winners and those that take part in no cell
    size_t out = 0;
    for (size_t i = 0; i < keys.size(); ++i)
        if (m.cellOf[i] == kNone || (m.cells[m.cellOf[i]] & 0xffffffu) == i) imp[out++] = imp[i];
    for (size_t i = 0; i < keys.size(); ++i)   // leave the grids empty for the next draw
        if (m.cellOf[i] != kNone) m.cells[m.cellOf[i]] = kEmpty;
    const int dropped = int(imp.size() - out);
    imp.resize(out);
    return dropped;
}

/// Points the body VAO's instance attributes (bound instance buffer) at instance `first`.
void bindBodyInstances(size_t first) {
    const GLsizei is = sizeof(AgentInstance);
    const size_t base = first * sizeof(AgentInstance);
    glEnableVertexAttribArray(3);
    glVertexAttribPointer(3, 4, GL_FLOAT, GL_FALSE, is, reinterpret_cast<void*>(base + offsetof(AgentInstance, x)));
    glVertexAttribDivisor(3, 1);
    glEnableVertexAttribArray(4);
    glVertexAttribPointer(4, 2, GL_FLOAT, GL_FALSE, is, reinterpret_cast<void*>(base + offsetof(AgentInstance, hx)));
    glVertexAttribDivisor(4, 1);
    glEnableVertexAttribArray(5);
    glVertexAttribPointer(5, 4, GL_UNSIGNED_BYTE, GL_TRUE, is, reinterpret_cast<void*>(base + offsetof(AgentInstance, c)));
    glVertexAttribDivisor(5, 1);
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
    GpuMesh opaque, upperFloors, walls, glass, roofs, dynamic, surface, closedOpaque, closedWalls;
    GLuint bodyVao = 0, bodyVbo = 0, instanceVbo = 0, impostorVao = 0, impostorVbo = 0;
    GLsizei bodyCount = 0, lowPolyFirst = 0, lowPolyCount = 0;   // full mesh, then the low-poly one
    GLuint mapVao = 0, mapVbo = 0, mapTex = 0;
    std::shared_ptr<const GasVolume> surfaceOf;   // volume the cached surface was built from (kept alive)
    double surfaceThreshold = -1;
    int surfaceTriangles = 0;
    std::vector<int> levelRank;             // by elevation
    std::vector<AgentInstance> bodies, impostors;
    std::vector<float> wOf;                 // clip w per body candidate (nearest first)
    std::vector<ImpostorKey> impostorKeys;  // per impostor, for merging
    MergeGrids mergeGrids;

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
    m.opaque.upload(chunkMesh(g.opaque, kChunkSize, kLodCells));
    m.upperFloors.upload(chunkMesh(g.upperFloors, kChunkSize, kLodCells));
    m.walls.upload(chunkMesh(g.walls, kChunkSize, kLodCells));
    m.glass.upload(chunkMesh(g.glass, kChunkSize, kLodCells));
    m.roofs.upload(chunkMesh(g.roofs, kChunkSize, kLodCells));
    m.closedOpaque.upload(chunkMesh(g.closedOpaque, kChunkSize, kLodCells, true));
    m.closedWalls.upload(chunkMesh(g.closedWalls, kChunkSize, kLodCells, true));
    stats_.scene_triangles = int(g.opaque.triangles() + g.upperFloors.triangles() + g.walls.triangles() + g.glass.triangles() +
                                 g.roofs.triangles() + g.closedOpaque.triangles() + g.closedWalls.triangles());

    // levels ranked by elevation, for the exploded view
    std::vector<int> order(scene.levels.size());
    for (size_t l = 0; l < order.size(); ++l) order[l] = int(l);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return scene.levels[size_t(a)].elevation < scene.levels[size_t(b)].elevation; });
    m.levelRank.assign(order.size(), 0);
    for (size_t r = 0; r < order.size(); ++r) m.levelRank[size_t(order[r])] = int(r);

    // person mesh + instance buffer
    auto body = bodyMesh(false);
    m.bodyCount = GLsizei(body.size());
    const auto lowPoly = bodyMesh(true);
    m.lowPolyFirst = m.bodyCount;
    m.lowPolyCount = GLsizei(lowPoly.size());
    body.insert(body.end(), lowPoly.begin(), lowPoly.end());
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
    bindBodyInstances(0);
    const GLsizei is = sizeof(AgentInstance);

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
    for (GpuMesh* g : {&m.opaque, &m.upperFloors, &m.walls, &m.glass, &m.roofs, &m.dynamic, &m.surface, &m.closedOpaque, &m.closedWalls})
        g->destroy();
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
    stats_.bodies = stats_.impostors = stats_.low_poly_bodies = stats_.impostors_merged = 0;
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
    cv.lodCells = &kLodCells;
    cv.lodPixels = kLodPixels;
    cv.levelOffset = offset;
    cv.levelVisible = visible;
    size_t drawn = 0;

    // 1. Opaque scene, doors, exits, markers; closed solids without their back faces (a
    // wall cut away keeps its top, lowered to the cut, so it stays closed)
    glEnable(GL_CULL_FACE);
    glCullFace(GL_BACK);
    glFrontFace(GL_CCW);
    drawn += m.closedOpaque.drawChunks(cv);
    if (o.walls != WallMode::SeeThrough) {
        glUniform1f(uWallCut, o.walls == WallMode::CutAway ? float(o.cut_height) : 1e6f);
        drawn += m.closedWalls.drawChunks(cv);
        glUniform1f(uWallCut, 1e6f);
    }
    glDisable(GL_CULL_FACE);
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
        constexpr size_t kStates = size_t(AgentVisual::Trapped) + 1;
        uint8_t stateRgba[kStates][4];
        for (size_t v = 0; v < kStates; ++v) u8Colour(stateColour(AgentVisual(v)), stateRgba[v]);
        std::vector<std::pair<float, AgentInstance>> candidates;
        std::vector<ImpostorKey> candidateKeys;
        m.impostorKeys.clear();
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
            uint8_t priority = 0;
            switch (o.colour_by) {
                case ColourBy::State: {
                    const size_t v = std::min(size_t(a.visual), kStates - 1);
                    std::memcpy(inst.c, stateRgba[v], 4);
                    priority = statePriority(a.visual);
                    break;
                }
                case ColourBy::Speed: u8Colour(rampColour(a.speed / o.speed_max), inst.c); break;
                case ColourBy::Dose:
                    u8Colour(a.dose > 0 ? rampColour(a.dose / o.dose_max) : std::array<float, 3>{0.7f, 0.75f, 0.8f}, inst.c);
                    priority = uint8_t(std::clamp(a.dose / std::max(o.dose_max, 1e-9), 0.0, 1.0) * 254.0 + (a.dose > 0));
                    break;
            }
            const auto clip = vp.apply(inst.x, inst.y, inst.z + 0.5 * o.body_height);
            const double w = ortho ? 1.0 : clip[3];
            if (clip[3] <= 1e-6) continue;   // behind the eye
            const double margin = 1.2;
            if (std::abs(clip[0]) > margin * clip[3] + 0.5 || std::abs(clip[1]) > margin * clip[3] + 0.5) continue;
            const double rpx = inst.r * pixelScale / w;
            // the impostor's disc as the shader draws it
            const ImpostorKey key{float((clip[0] / clip[3] * 0.5 + 0.5) * width), float((clip[1] / clip[3] * 0.5 + 0.5) * height),
                                  float(w), float(std::max(inst.r * 1.5, 0.25) * pixelScale / w), priority};
            if (rpx < o.impostor_pixels) {
                m.impostors.push_back(inst);
                m.impostorKeys.push_back(key);
            } else {
                candidates.emplace_back(float(clip[3]), inst);
                candidateKeys.push_back(key);
            }
        }
        if (int(candidates.size()) > o.body_budget) {
            std::vector<uint32_t> idx(candidates.size());
            for (size_t k = 0; k < idx.size(); ++k) idx[k] = uint32_t(k);
            const auto nth = idx.begin() + std::max(0, o.body_budget);
            std::nth_element(idx.begin(), nth, idx.end(), [&](uint32_t a, uint32_t b) { return candidates[a].first < candidates[b].first; });
            for (auto it = nth; it != idx.end(); ++it) {
                m.impostors.push_back(candidates[*it].second);
                m.impostorKeys.push_back(candidateKeys[*it]);
            }
            std::vector<std::pair<float, AgentInstance>> kept;
            kept.reserve(size_t(o.body_budget));
            for (auto it = idx.begin(); it != nth; ++it) kept.push_back(candidates[*it]);
            candidates.swap(kept);
        }
        stats_.impostors_merged = o.merge_impostors ? mergeImpostors(m.impostors, m.impostorKeys, width, height, m.mergeGrids) : 0;
        // nearest first, the full mesh while a body is at least lowpoly_pixels wide on screen
        std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        size_t nFull = 0;
        for (const auto& cnd : candidates) {
            m.bodies.push_back(cnd.second);
            nFull += (ortho ? cnd.second.r * pixelScale : cnd.second.r * pixelScale / std::max(double(cnd.first), 1e-6)) >= o.lowpoly_pixels;
        }
        stats_.bodies = int(m.bodies.size());
        stats_.low_poly_bodies = int(m.bodies.size() - nFull);
        stats_.impostors = int(m.impostors.size()) + stats_.impostors_merged;
        if (!m.bodies.empty()) {
            glUseProgram(m.bodyProgram);
            glUniformMatrix4fv(glGetUniformLocation(m.bodyProgram, "uViewProj"), 1, GL_FALSE, vp.m.data());
            glUniform1f(glGetUniformLocation(m.bodyProgram, "uBodyHeight"), float(o.body_height));
            glBindVertexArray(m.bodyVao);
            glBindBuffer(GL_ARRAY_BUFFER, m.instanceVbo);
            glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(m.bodies.size() * sizeof(AgentInstance)), m.bodies.data(), GL_STREAM_DRAW);
            glEnable(GL_CULL_FACE);   // closed from above: its back faces are hidden anyway
            glCullFace(GL_BACK);
            glFrontFace(GL_CCW);
            if (nFull) {
                bindBodyInstances(0);
                glDrawArraysInstanced(GL_TRIANGLES, 0, m.bodyCount, GLsizei(nFull));
            }
            if (m.bodies.size() > nFull) {
                bindBodyInstances(nFull);
                glDrawArraysInstanced(GL_TRIANGLES, m.lowPolyFirst, m.lowPolyCount, GLsizei(m.bodies.size() - nFull));
            }
            glDisable(GL_CULL_FACE);
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
        drawn += m.closedWalls.drawChunks(cv);   // both faces, as before
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
