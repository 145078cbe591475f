// Frame is plain data (render/Frame.hpp); this file keeps the layer a real library until the
// renderer's sources land.
#include "render/Frame.hpp"

namespace safetwin::render {
static_assert(sizeof(AgentSample) <= 48, "AgentSample is uploaded per agent per frame");
}  // namespace safetwin::render
