// Gazebo world and SDF model files: each <model> either <include>s a model by its
// model://NAME uri (looked up in ../models, ., .. beside the file and GAZEBO_MODEL_PATH) at
// its <pose>, or has links whose collision (else visual) meshes are loaded directly. Included
// models named like a ground become floor, walls and roofs structure, the rest obstacles (one
// per model); a model written in the file itself is structure, split by size later.
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "scenes/InputError.hpp"
#include "scenes/import/RawModel.hpp"

namespace safetwin::import {

namespace {

namespace fs = std::filesystem;

std::string readText(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string t = ss.str();
    // Drop comments (the small warehouse comments out its roof and some furniture).
    for (size_t a = t.find("<!--"); a != std::string::npos; a = t.find("<!--", a)) {
        const size_t b = t.find("-->", a);
        t.erase(a, b == std::string::npos ? std::string::npos : b + 3 - a);
    }
    return t;
}

/// Text of the first <tag ...>text</tag> in s, or "".
std::string firstTag(const std::string& s, const std::string& tag) {
    const std::regex re("<" + tag + "(\\s[^>]*)?>([\\s\\S]*?)</" + tag + ">");
    std::smatch m;
    return std::regex_search(s, m, re) ? m[2].str() : "";
}

/// All <tag ...>...</tag> blocks (not nested in one another).
std::vector<std::string> blocks(const std::string& s, const std::string& tag) {
    std::vector<std::string> out;
    const std::regex re("<" + tag + "(\\s[^>]*)?>([\\s\\S]*?)</" + tag + ">");
    for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator(); ++it)
        out.push_back(it->str());
    return out;
}

std::string attribute(const std::string& block, const std::string& name) {
    const std::regex re(name + "\\s*=\\s*\"([^\"]*)\"");
    std::smatch m;
    return std::regex_search(block, m, re) ? m[1].str() : "";
}

std::vector<double> numbers(const std::string& s) {
    std::vector<double> v;
    std::istringstream in(s);
    double x;
    while (in >> x) v.push_back(x);
    return v;
}

using Pose = std::array<double, 16>;

/// x y z roll pitch yaw (SDF: extrinsic X, Y, Z rotations), with a scale.
Pose poseMatrix(const std::vector<double>& p, const std::vector<double>& scale) {
    const double x = p.size() > 0 ? p[0] : 0, y = p.size() > 1 ? p[1] : 0, z = p.size() > 2 ? p[2] : 0;
    const double r = p.size() > 3 ? p[3] : 0, q = p.size() > 4 ? p[4] : 0, w = p.size() > 5 ? p[5] : 0;
    const double sx = scale.size() > 0 ? scale[0] : 1, sy = scale.size() > 1 ? scale[1] : 1, sz = scale.size() > 2 ? scale[2] : 1;
    const double cr = std::cos(r), sr = std::sin(r), cp = std::cos(q), sp = std::sin(q), cy = std::cos(w), syw = std::sin(w);
    // R = Rz(yaw) Ry(pitch) Rx(roll)
    const double R[3][3] = {{cy * cp, cy * sp * sr - syw * cr, cy * sp * cr + syw * sr},
                            {syw * cp, syw * sp * sr + cy * cr, syw * sp * cr - cy * sr},
                            {-sp, cp * sr, cp * cr}};
    return {R[0][0] * sx, R[0][1] * sy, R[0][2] * sz, x, R[1][0] * sx, R[1][1] * sy, R[1][2] * sz, y,
            R[2][0] * sx, R[2][1] * sy, R[2][2] * sz, z, 0, 0, 0, 1};
}

Pose multiply(const Pose& a, const Pose& b) {
    Pose c{};
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
            for (int k = 0; k < 4; ++k) c[size_t(i * 4 + j)] += a[size_t(i * 4 + k)] * b[size_t(k * 4 + j)];
    return c;
}

struct Lookup {
    std::vector<fs::path> roots;
    fs::path modelDir(const std::string& name) const {
        for (const fs::path& r : roots)
            if (fs::is_directory(r / name)) return r / name;
        return {};
    }
    fs::path resolve(const std::string& uri, const fs::path& base) const {
        if (uri.rfind("model://", 0) == 0) {
            const std::string rest = uri.substr(8);
            const size_t slash = rest.find('/');
            const fs::path dir = modelDir(rest.substr(0, slash));
            return dir.empty() || slash == std::string::npos ? fs::path() : dir / rest.substr(slash + 1);
        }
        if (uri.rfind("file://", 0) == 0) return fs::path(uri.substr(7));
        return base / uri;
    }
};

Role roleOf(const std::string& name) {
    std::string n = name;
    for (char& c : n) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (n.find("ground") != std::string::npos || n.find("floor") != std::string::npos) return Role::Floor;
    if (n.find("wall") != std::string::npos || n.find("roof") != std::string::npos) return Role::Structure;
    return Role::Obstacle;
}

void loadModelLinks(const std::string& text, const fs::path& base, const Pose& pose, const std::string& name,
                    Role role, const Lookup& lookup, RawModel& out, int depth);

void loadModelBlock(const std::string& block, const fs::path& base, const Pose& parent, const Lookup& lookup,
                    RawModel& out, const std::string& file, int depth) {
    const std::string name = attribute(block.substr(0, block.find('>')), "name");
    const Pose pose = multiply(parent, poseMatrix(numbers(firstTag(block, "pose")), {}));
    const std::string include = firstTag(block, "include");
    if (!include.empty() || block.find("<include") != std::string::npos) {
        const std::string uri = firstTag(include.empty() ? block : include, "uri");
        std::string modelName = uri.rfind("model://", 0) == 0 ? uri.substr(8) : uri;
        while (!modelName.empty() && modelName.back() == '/') modelName.pop_back();
        const fs::path dir = lookup.modelDir(modelName);
        if (dir.empty() || !fs::is_regular_file(dir / "model.sdf")) {
            out.warnings.push_back(file + ": model '" + modelName + "' of '" + name +
                                   "' not found (looked in the models folders beside the file and GAZEBO_MODEL_PATH); left out");
            return;
        }
        loadModelLinks(readText(dir / "model.sdf"), dir, pose, name.empty() ? modelName : name,
                       roleOf(modelName), lookup, out, depth + 1);
        return;
    }
    // A model written out in the file itself (a site model.sdf): its meshes are the structure,
    // split into obstacles by size later.
    loadModelLinks(block, base, pose, name, depth == 0 ? Role::Structure : roleOf(name), lookup, out, depth + 1);
}

void loadModelLinks(const std::string& text, const fs::path& base, const Pose& pose, const std::string& name,
                    Role role, const Lookup& lookup, RawModel& out, int depth) {
    if (depth > 8) return;
    for (const std::string& link : blocks(text, "link")) {
        const Pose linkPose = multiply(pose, poseMatrix(numbers(firstTag(link, "pose")), {}));
        std::string geom;
        for (const char* kind : {"collision", "visual"}) {
            for (const std::string& b : blocks(link, kind))
                if (b.find("<mesh") != std::string::npos) { geom = b; break; }
            if (!geom.empty()) break;
        }
        if (geom.empty()) continue;
        const std::string mesh = firstTag(geom, "mesh");
        const fs::path file = lookup.resolve(firstTag(mesh, "uri"), base);
        if (file.empty() || !fs::is_regular_file(file)) {
            out.warnings.push_back("mesh '" + firstTag(mesh, "uri") + "' of model '" + name + "' not found; left out");
            continue;
        }
        const Pose meshPose = multiply(linkPose, poseMatrix(numbers(firstTag(geom, "pose")), numbers(firstTag(mesh, "scale"))));
        appendAssimpMesh(file.string(), meshPose, role, name, out);
    }
}

}  // namespace

RawModel readGazeboWorld(const std::string& path, const ImportOptions&) {
    RawModel out;
    out.file = path;
    out.format = "SDF";
    const std::string text = readText(path);
    if (text.find("<sdf") == std::string::npos)
        throw InputError(path + ": not an SDF file (expected an XML document with an <sdf> root, as Gazebo writes)");
    const fs::path dir = fs::absolute(path).parent_path();
    Lookup lookup;
    lookup.roots = {dir / ".." / "models", dir / "models", dir, dir / ".."};
    if (const char* env = std::getenv("GAZEBO_MODEL_PATH")) {
        std::stringstream ss(env);
        std::string item;
        while (std::getline(ss, item, ':'))
            if (!item.empty()) lookup.roots.push_back(item);
    }
    const Pose identity = poseMatrix({}, {});
    const std::string world = firstTag(text, "world");
    const std::string scope = world.empty() ? text : world;
    std::vector<std::string> models = blocks(scope, "model");
    // Bare <include>s directly in the world (not wrapped in a <model>).
    std::string bare = scope;
    for (const std::string& m : models) {
        const size_t at = bare.find(m);
        if (at != std::string::npos) bare.erase(at, m.size());
    }
    for (const std::string& inc : blocks(bare, "include")) models.push_back("<model name=\"\">" + inc + "</model>");
    for (const std::string& m : models) loadModelBlock(m, dir, identity, lookup, out, path, 0);
    if (out.elements.empty())
        throw InputError(path + ": no model geometry could be loaded (expected <model> entries with <include><uri>model://NAME</uri> "
                                "or links with meshes)");
    return out;
}

}  // namespace safetwin::import
