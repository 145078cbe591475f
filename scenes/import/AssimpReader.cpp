// Models through assimp: IFC 2x3 (keeping the IFC class, name and GlobalId of each element
// and the storey it belongs to), glTF/GLB, OBJ, FBX and COLLADA. assimp hands back y-up
// metres for all of these (it applies COLLADA's <unit> and IFC's units); we turn them z-up.
#include <assimp/Importer.hpp>
#include <assimp/config.h>
#include <assimp/postprocess.h>
#include <assimp/scene.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

#include "scenes/InputError.hpp"
#include "scenes/import/RawModel.hpp"

namespace safetwin::import {

namespace {

namespace fs = std::filesystem;

Role ifcRole(const std::string& cls) {
    static const std::map<std::string, Role> roles = {
        {"IfcDoor", Role::Door},
        {"IfcWindow", Role::Window},
        {"IfcSpace", Role::Space},
        {"IfcStair", Role::Stair}, {"IfcStairFlight", Role::Stair},
        {"IfcRamp", Role::Stair}, {"IfcRampFlight", Role::Stair},
        {"IfcFurnishingElement", Role::Obstacle}, {"IfcFurniture", Role::Obstacle},
        {"IfcFlowTerminal", Role::Obstacle}, {"IfcDistributionFlowElement", Role::Obstacle},
        {"IfcDistributionElement", Role::Obstacle}, {"IfcFlowController", Role::Obstacle},
        {"IfcFlowMovingDevice", Role::Obstacle}, {"IfcFlowStorageDevice", Role::Obstacle},
        {"IfcFlowTreatmentDevice", Role::Obstacle}, {"IfcEnergyConversionDevice", Role::Obstacle},
        {"IfcBuildingElementProxy", Role::Obstacle}, {"IfcTransportElement", Role::Obstacle},
        {"IfcOpeningElement", Role::Ignore}, {"IfcSite", Role::Ignore}, {"IfcAnnotation", Role::Ignore},
        {"IfcGrid", Role::Ignore}, {"IfcVirtualElement", Role::Ignore}, {"IfcSpatialZone", Role::Ignore},
        {"IfcFlowSegment", Role::Ignore}, {"IfcFlowFitting", Role::Ignore},  // ducts and pipes run overhead
    };
    const auto it = roles.find(cls);
    return it == roles.end() ? Role::Structure : it->second;
}

/// "IfcWallStandardCase_Wand-Ext-ERDG-1_3rPX_Juz59peXXY6wDJl18" -> class, name, GlobalId.
bool splitIfcName(const std::string& node, std::string& cls, std::string& name, std::string& gid) {
    if (node.rfind("Ifc", 0) != 0) return false;
    const size_t us = node.find('_');
    cls = node.substr(0, us);
    if (cls == "IfcMappedItem" || us == std::string::npos) return cls != "IfcMappedItem" && !cls.empty();
    const std::string rest = node.substr(us + 1);
    if (rest.size() >= 22) {
        gid = rest.substr(rest.size() - 22);
        name = rest.size() > 23 ? rest.substr(0, rest.size() - 23) : "";
    } else {
        name = rest;
    }
    return true;
}

struct Walker {
    const aiScene* scene;
    RawModel& out;
    bool ifc;
    double scale;

    void addMeshes(const aiNode* node, const aiMatrix4x4& m, ModelElement& el) const {
        for (unsigned k = 0; k < node->mNumMeshes; ++k) {
            const aiMesh* mesh = scene->mMeshes[node->mMeshes[k]];
            if (!(mesh->mPrimitiveTypes & aiPrimitiveType_TRIANGLE)) continue;
            const uint32_t base = uint32_t(el.xyz.size() / 3);
            for (unsigned v = 0; v < mesh->mNumVertices; ++v) {
                const aiVector3D p = m * mesh->mVertices[v];
                // y-up -> z-up: (x, y, z) -> (x, -z, y)
                el.xyz.push_back(float(p.x * scale));
                el.xyz.push_back(float(-p.z * scale));
                el.xyz.push_back(float(p.y * scale));
            }
            for (unsigned f = 0; f < mesh->mNumFaces; ++f) {
                const aiFace& face = mesh->mFaces[f];
                if (face.mNumIndices != 3) continue;
                for (int c = 0; c < 3; ++c) el.triangles.push_back(base + face.mIndices[c]);
            }
        }
    }

    /// IFC: an element owns its meshes and those of descendants that are not elements.
    void collect(const aiNode* node, const aiMatrix4x4& m, ModelElement& el) const {
        addMeshes(node, m, el);
        for (unsigned c = 0; c < node->mNumChildren; ++c) {
            const aiNode* ch = node->mChildren[c];
            std::string cls, name, gid;
            if (splitIfcName(ch->mName.C_Str(), cls, name, gid)) continue;  // visited as its own element
            collect(ch, m * ch->mTransformation, el);
        }
    }

    void walk(const aiNode* node, const aiMatrix4x4& parent, int storey, int group) {
        const aiMatrix4x4 m = parent * node->mTransformation;
        const std::string nodeName = node->mName.C_Str();
        if (ifc) {
            std::string cls, name, gid;
            if (splitIfcName(nodeName, cls, name, gid)) {
                name = decodeIfcString(name);
                if (cls == "IfcBuildingStorey") {
                    out.storeys.push_back(Storey{name, gid, 0.0, false});
                    storey = int(out.storeys.size()) - 1;
                } else if (cls != "IfcProject" && cls != "IfcBuilding" && cls != "IfcSite") {
                    RawElement e;
                    e.el.ifc_class = cls;
                    e.el.name = name;
                    e.el.global_id = gid;
                    e.role = ifcRole(cls);
                    e.storey = storey;
                    // Parts of a stair (flights, landing slabs, stringers, railings) share its group.
                    if (group < 0 && e.role == Role::Stair) group = int(out.elements.size());
                    e.group = group;
                    collect(node, m, e.el);
                    if (!e.el.triangles.empty() || e.role == Role::Door || e.role == Role::Space)
                        out.elements.push_back(std::move(e));
                }
            }
        } else if (node->mNumMeshes > 0) {
            RawElement e;
            e.el.name = nodeName;
            e.el.global_id = nodeName;
            e.role = Role::Structure;
            addMeshes(node, m, e.el);
            if (!e.el.triangles.empty()) out.elements.push_back(std::move(e));
        }
        for (unsigned c = 0; c < node->mNumChildren; ++c) walk(node->mChildren[c], m, storey, group);
    }
};

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

const aiScene* readScene(Assimp::Importer& importer, const std::string& path) {
    importer.SetPropertyBool(AI_CONFIG_IMPORT_IFC_SKIP_SPACE_REPRESENTATIONS, false);
    importer.SetPropertyInteger(AI_CONFIG_PP_RVC_FLAGS, aiComponent_NORMALS | aiComponent_TEXCOORDS | aiComponent_COLORS |
                                                            aiComponent_TANGENTS_AND_BITANGENTS | aiComponent_MATERIALS |
                                                            aiComponent_TEXTURES | aiComponent_ANIMATIONS | aiComponent_LIGHTS |
                                                            aiComponent_CAMERAS);
    return importer.ReadFile(path, aiProcess_Triangulate | aiProcess_RemoveComponent | aiProcess_SortByPType);
}

}  // namespace

RawModel readWithAssimp(const std::string& path, const ImportOptions& options) {
    RawModel out;
    out.file = path;
    const std::string ext = lower(fs::path(path).extension().string());
    out.ifc = ext == ".ifc" || ext == ".ifczip";
    if (out.ifc) {
        out.facts = scanIfcText(path);
        out.format = out.facts.schema.empty() ? "IFC" : out.facts.schema;
    } else {
        out.format = ext.substr(1);
    }
    Assimp::Importer importer;
    const aiScene* scene = readScene(importer, path);
    if (!scene || !scene->mRootNode) {
        std::string why = importer.GetErrorString();
        if (out.ifc && (out.facts.schema.rfind("IFC4", 0) == 0))
            throw InputError(path + ": this is an " + out.facts.schema +
                             " file, and the IFC reader (assimp 5.2) reads IFC 2x3 only (" + why +
                             "); export the model from your BIM tool as IFC 2x3 (Coordination View 2.0) and import that");
        if (ext == ".ifczip")
            throw InputError(path + ": cannot open the zipped IFC (" + why + "); unzip it and import the .ifc inside");
        throw InputError(path + ": cannot read the " + out.format + " model (" + why +
                         "); expected a complete, valid " + out.format + " file");
    }
    double scale = 1.0;
    if (options.unit > 0.0) {
        scale = options.unit;
    } else if (scene->mMetaData) {
        double f = 0.0;
        if (scene->mMetaData->Get("UnitScaleFactor", f) && f > 0.0 && ext == ".fbx") scale = f / 100.0;  // FBX: cm per unit
    }
    Walker w{scene, out, out.ifc, scale};
    aiMatrix4x4 identity;
    if (options.up == ImportOptions::Up::Z) {
        // The source is already z-up: undo the turn applied per vertex.
        identity = aiMatrix4x4(1, 0, 0, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 1);
    }
    w.walk(scene->mRootNode, identity, -1, -1);
    return out;
}

void appendAssimpMesh(const std::string& path, const std::array<double, 16>& pose, Role role,
                      const std::string& name, RawModel& out) {
    Assimp::Importer importer;
    const aiScene* scene = readScene(importer, path);
    if (!scene || !scene->mRootNode)
        throw InputError(path + ": cannot read the mesh (" + std::string(importer.GetErrorString()) + ")");
    RawModel part;
    Walker w{scene, part, false, 1.0};
    w.walk(scene->mRootNode, aiMatrix4x4(), -1, -1);
    // An included model is one element (one obstacle); structure keeps its nodes apart.
    for (RawElement& p : part.elements) {
        if (role != Role::Structure) break;
        RawElement e;
        e.role = role;
        e.el.name = name + "/" + p.el.name;
        e.el.global_id = e.el.name;
        for (size_t v = 0; v + 2 < p.el.xyz.size(); v += 3) {
            const double x = p.el.xyz[v], y = p.el.xyz[v + 1], z = p.el.xyz[v + 2];
            e.el.xyz.push_back(float(pose[0] * x + pose[1] * y + pose[2] * z + pose[3]));
            e.el.xyz.push_back(float(pose[4] * x + pose[5] * y + pose[6] * z + pose[7]));
            e.el.xyz.push_back(float(pose[8] * x + pose[9] * y + pose[10] * z + pose[11]));
        }
        e.el.triangles = std::move(p.el.triangles);
        if (!e.el.triangles.empty()) out.elements.push_back(std::move(e));
    }
    if (role == Role::Structure) return;
    RawElement e;
    e.role = role;
    e.el.name = name;
    e.el.global_id = name;
    for (RawElement& p : part.elements) {
        const uint32_t base = uint32_t(e.el.xyz.size() / 3);
        for (size_t v = 0; v + 2 < p.el.xyz.size(); v += 3) {
            const double x = p.el.xyz[v], y = p.el.xyz[v + 1], z = p.el.xyz[v + 2];
            e.el.xyz.push_back(float(pose[0] * x + pose[1] * y + pose[2] * z + pose[3]));
            e.el.xyz.push_back(float(pose[4] * x + pose[5] * y + pose[6] * z + pose[7]));
            e.el.xyz.push_back(float(pose[8] * x + pose[9] * y + pose[10] * z + pose[11]));
        }
        for (uint32_t t : p.el.triangles) e.el.triangles.push_back(base + t);
    }
    if (!e.el.triangles.empty()) out.elements.push_back(std::move(e));
}

}  // namespace safetwin::import
