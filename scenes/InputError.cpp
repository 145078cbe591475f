#include "scenes/InputError.hpp"

namespace safetwin {

std::string SourceRef::str() const {
    std::string s = file.empty() ? std::string("<input>") : file;
    if (line > 0) s += ":" + std::to_string(line);
    if (line > 0 && column > 0) s += ":" + std::to_string(column);
    return s;
}

InputError::InputError(const SourceRef& where, const std::string& message)
    : std::runtime_error(where.str() + ": " + message) {}

}  // namespace safetwin
