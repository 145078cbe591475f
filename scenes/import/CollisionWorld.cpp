// The static geometry as a Bullet collision world (one btBvhTriangleMeshShape), for ray
// queries the raster cannot answer: the floor height under a door, at the ends of a stair.
// Open3D's RaycastingScene would do this, but its ray queries are broken in Debian 12's build.
#include <btBulletCollisionCommon.h>

#include <cmath>
#include <limits>
#include <memory>

#include "scenes/import/RawModel.hpp"

namespace safetwin::import {

struct CollisionWorld::Impl {
    std::unique_ptr<btTriangleMesh> mesh;
    std::unique_ptr<btBvhTriangleMeshShape> shape;
    std::unique_ptr<btDefaultCollisionConfiguration> config;
    std::unique_ptr<btCollisionDispatcher> dispatcher;
    std::unique_ptr<btDbvtBroadphase> broadphase;
    std::unique_ptr<btCollisionWorld> world;
    std::unique_ptr<btCollisionObject> object;
    bool empty = true;
};

CollisionWorld::CollisionWorld(const std::vector<const ModelElement*>& elements) : impl_(new Impl) {
    impl_->mesh = std::make_unique<btTriangleMesh>(true, false);
    for (const ModelElement* e : elements) {
        for (size_t t = 0; t + 2 < e->triangles.size(); t += 3) {
            btVector3 v[3];
            for (int k = 0; k < 3; ++k) {
                const size_t i = size_t(e->triangles[t + size_t(k)]) * 3;
                v[k] = btVector3(e->xyz[i], e->xyz[i + 1], e->xyz[i + 2]);
            }
            if ((v[1] - v[0]).cross(v[2] - v[0]).length2() < 1e-12) continue;
            impl_->mesh->addTriangle(v[0], v[1], v[2], false);
            impl_->empty = false;
        }
    }
    if (impl_->empty) return;
    impl_->shape = std::make_unique<btBvhTriangleMeshShape>(impl_->mesh.get(), true);
    impl_->config = std::make_unique<btDefaultCollisionConfiguration>();
    impl_->dispatcher = std::make_unique<btCollisionDispatcher>(impl_->config.get());
    impl_->broadphase = std::make_unique<btDbvtBroadphase>();
    impl_->world = std::make_unique<btCollisionWorld>(impl_->dispatcher.get(), impl_->broadphase.get(), impl_->config.get());
    impl_->object = std::make_unique<btCollisionObject>();
    impl_->object->setCollisionShape(impl_->shape.get());
    impl_->world->addCollisionObject(impl_->object.get());
    impl_->world->updateAabbs();
}

CollisionWorld::~CollisionWorld() {
    if (impl_->world) impl_->world->removeCollisionObject(impl_->object.get());
    delete impl_;
}

bool CollisionWorld::empty() const { return impl_->empty; }

double CollisionWorld::floorBelow(double x, double y, double z_from, double depth) const {
    if (impl_->empty) return std::numeric_limits<double>::quiet_NaN();
    const btVector3 from{btScalar(x), btScalar(y), btScalar(z_from)};
    const btVector3 to{btScalar(x), btScalar(y), btScalar(z_from - depth)};
    btCollisionWorld::ClosestRayResultCallback hit(from, to);
    impl_->world->rayTest(from, to, hit);
    if (!hit.hasHit()) return std::numeric_limits<double>::quiet_NaN();
    return double(hit.m_hitPointWorld.z());
}

}  // namespace safetwin::import
