#include "live/register/HazardEffect.hpp"

#include <cmath>

#include "scenes/InputError.hpp"

namespace safetwin {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out(1);
    for (char c : s) {
        if (c == sep) out.emplace_back();
        else out.back() += c;
    }
    return out;
}

std::string trim(const std::string& s) {
    const size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
    return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

const char* kSyntax =
    "close_door:<door>, close_exit:<exit>, block:<level>:<x0>,<y0>,<x1>,<y1>, "
    "slow:<space>:<factor>, slow:<level>:<x0>,<y0>,<x1>,<y1>:<factor> or disable_detector:<id>";

}  // namespace

std::vector<HazardEffect> parseHazardEffects(const std::string& text, const std::string& where) {
    std::vector<HazardEffect> out;
    if (trim(text).empty()) return out;
    for (const std::string& rawPart : split(text, ';')) {
        const std::string part = trim(rawPart);
        if (part.empty()) continue;
        auto fail = [&](const std::string& why) {
            throw InputError((where.empty() ? "" : where + ": ") + "effect '" + part + "': " + why +
                             " (expected " + kSyntax + ")");
        };
        const std::vector<std::string> f = split(part, ':');
        HazardEffect e;
        e.text = part;
        const std::string kind = trim(f[0]);
        auto number = [&](const std::string& s, const char* what) {
            size_t used = 0;
            double v = 0;
            try {
                v = std::stod(trim(s), &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used == 0 || used != trim(s).size() || !std::isfinite(v))
                fail(std::string("'") + s + "' is not a number (" + what + ")");
            return v;
        };
        auto rectangle = [&](const std::string& s) {
            const std::vector<std::string> c = split(s, ',');
            if (c.size() != 4) fail("a rectangle is x0,y0,x1,y1 in metres");
            const double x0 = number(c[0], "x0"), y0 = number(c[1], "y0"), x1 = number(c[2], "x1"),
                         y1 = number(c[3], "y1");
            e.rect = true;
            e.min = {std::fmin(x0, x1), std::fmin(y0, y1)};
            e.max = {std::fmax(x0, x1), std::fmax(y0, y1)};
            if (e.max.x - e.min.x < 0.05 || e.max.y - e.min.y < 0.05)
                fail("the rectangle must be at least 0.05 m in each direction");
        };
        if (f.size() < 2 || trim(f[1]).empty()) fail("no target");
        e.target = trim(f[1]);
        if (kind == "close_door" || kind == "close_exit" || kind == "disable_detector") {
            if (f.size() != 2) fail("one target only");
            e.kind = kind == "close_door" ? HazardEffect::Kind::CloseDoor
                     : kind == "close_exit" ? HazardEffect::Kind::CloseExit
                                            : HazardEffect::Kind::DisableDetector;
        } else if (kind == "block") {
            if (f.size() != 3) fail("block needs a level and a rectangle");
            e.kind = HazardEffect::Kind::Block;
            rectangle(f[2]);
        } else if (kind == "slow") {
            e.kind = HazardEffect::Kind::Slow;
            if (f.size() == 4) rectangle(f[2]);
            else if (f.size() != 3) fail("slow needs a space (or a level and a rectangle) and a factor");
            e.factor = number(f.back(), "speed factor");
            if (!(e.factor > 0.0 && e.factor <= 1.0))
                fail("the speed factor " + trim(f.back()) + " is outside (0, 1]");
        } else {
            fail("unknown kind '" + kind + "'");
        }
        out.push_back(e);
    }
    return out;
}

}  // namespace safetwin
