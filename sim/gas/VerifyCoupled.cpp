#include "sim/gas/GasVerification.hpp"

namespace safetwin::gasverify {

std::vector<GasCheck> coupled() { return {}; }

}  // namespace safetwin::gasverify
