// Walking profiles: free speeds on the flat and on stairs, and body size.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/Distribution.hpp"

namespace safetwin {

/// One person's drawn walking abilities. [Units: m/s, m]
struct Walker {
    double speed = 1.34;       // free speed on level floors
    double stair_up = 0.61;    // free speed along the slope going up
    double stair_down = 0.69;  // free speed along the slope going down
    double radius = 0.18;      // body radius (half the shoulder width)
};

/// A named speed distribution. Stair speeds follow the flat speed's quantile: a fast walker is
/// a fast climber (one uniform draw u sets all three speeds).
struct Profile {
    std::string name;
    std::string reference;     // where the numbers come from
    Distribution flat;
    Distribution stair_up;
    Distribution stair_down;
    Distribution radius = Distribution::fixed(0.18);

    Walker draw(double u, double uRadius) const;
};

/// Built-in profiles: "weidmann" (adults, Weidmann 1993) and the six IMO MSC.1/Circ.1533
/// groups "imo_females_under_30" ... "imo_males_over_50", plus "imo_impaired". See
/// REFERENCES.md and docs/FORMAT.md. Returns nullptr for an unknown name.
const Profile* builtinProfile(const std::string& name);
std::vector<std::string> builtinProfileNames();

}  // namespace safetwin
