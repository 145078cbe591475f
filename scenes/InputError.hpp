// Errors in user input (scene and scenario files, command-line values).
#pragma once

#include <stdexcept>
#include <string>

namespace safetwin {

/// Where something was written in an input file; line and column are 1-based, 0 if unknown.
struct SourceRef {
    std::string file;
    int line = 0;
    int column = 0;
    std::string str() const;  // "file:line:column" (as much as is known)
};

/// Thrown for bad input at I/O and configuration boundaries. what() names the file and place,
/// then says what was expected. The CLI turns it into exit code 2.
class InputError : public std::runtime_error {
public:
    InputError(const SourceRef& where, const std::string& message);
    explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace safetwin
