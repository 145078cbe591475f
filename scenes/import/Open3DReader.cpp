// PLY/STL meshes and PLY/PCD point clouds through Open3D. Point clouds are voxelized
// (Open3D's VoxelGrid at the raster cell) after their NaN and infinite points are dropped;
// the voxel centres stand for the scan in the scene builder. These formats carry no units:
// metres unless ImportOptions::unit says otherwise; z up unless ImportOptions::up is Y.
#include <open3d/geometry/PointCloud.h>
#include <open3d/geometry/TriangleMesh.h>
#include <open3d/geometry/VoxelGrid.h>
#include <open3d/io/PointCloudIO.h>
#include <open3d/io/TriangleMeshIO.h>
#include <open3d/utility/Logging.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "scenes/InputError.hpp"
#include "scenes/import/RawModel.hpp"

namespace safetwin::import {

namespace {

namespace fs = std::filesystem;

Eigen::Vector3d toZUp(const Eigen::Vector3d& p, const ImportOptions& o, double scale) {
    const Eigen::Vector3d q = o.up == ImportOptions::Up::Y ? Eigen::Vector3d(p.x(), -p.z(), p.y()) : p;
    return q * scale;
}

}  // namespace

RawModel readWithOpen3D(const std::string& path, const ImportOptions& options) {
    open3d::utility::SetVerbosityLevel(open3d::utility::VerbosityLevel::Error);
    RawModel out;
    out.file = path;
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    out.format = ext.substr(1);
    const double scale = options.unit > 0.0 ? options.unit : 1.0;

    if (ext == ".ply" || ext == ".stl") {
        open3d::geometry::TriangleMesh mesh;
        open3d::io::ReadTriangleMeshOptions mo;
        mo.enable_post_processing = false;
        if (open3d::io::ReadTriangleMesh(path, mesh, mo) && !mesh.triangles_.empty()) {
            RawElement e;
            e.el.name = fs::path(path).stem().string();
            e.el.global_id = e.el.name;
            for (const Eigen::Vector3d& v : mesh.vertices_) {
                const Eigen::Vector3d q = toZUp(v, options, scale);
                e.el.xyz.insert(e.el.xyz.end(), {float(q.x()), float(q.y()), float(q.z())});
            }
            for (const Eigen::Vector3i& t : mesh.triangles_)
                e.el.triangles.insert(e.el.triangles.end(), {uint32_t(t.x()), uint32_t(t.y()), uint32_t(t.z())});
            out.elements.push_back(std::move(e));
            return out;
        }
        if (ext == ".stl")
            throw InputError(path + ": cannot read the STL mesh, or it has no triangles (expected a complete ASCII or binary STL file)");
    }
    open3d::geometry::PointCloud cloud;
    open3d::io::ReadPointCloudOption po;
    po.remove_nan_points = true;
    po.remove_infinite_points = true;
    if (!open3d::io::ReadPointCloud(path, cloud, po))
        throw InputError(path + ": cannot read the " + out.format + " point cloud (expected a complete, valid " + out.format + " file)");
    if (cloud.points_.empty())
        throw InputError(path + ": the point cloud has no points (after dropping NaN points); expected a scan of a floor and what stands on it");
    out.source_points = cloud.points_.size();
    for (Eigen::Vector3d& p : cloud.points_) p = toZUp(p, options, scale);
    const auto grid = open3d::geometry::VoxelGrid::CreateFromPointCloud(cloud, options.cell);
    for (const auto& [index, voxel] : grid->voxels_) {
        const Eigen::Vector3d c = grid->GetVoxelCenterCoordinate(voxel.grid_index_);
        out.points.insert(out.points.end(), {float(c.x()), float(c.y()), float(c.z())});
    }
    return out;
}

}  // namespace safetwin::import
