#include "sim/scenario/Profile.hpp"

namespace safetwin {

Walker Profile::draw(double u, double uRadius) const {
    Walker w;
    w.speed = flat.quantile(u);
    w.stair_up = stair_up.quantile(u);
    w.stair_down = stair_down.quantile(u);
    w.radius = radius.quantile(uRadius);
    return w;
}

namespace {

// Weidmann (1993): free walking speed on the level 1.34 m/s with sd 0.26 m/s; free stair
// speeds 0.61 m/s up and 0.694 m/s down. The flat normal is truncated at +-3 sd, [0.56, 2.12]
// m/s, which keeps 99.7 % of it and excludes walkers too slow or too fast to be plausible
// adults. The stair distributions are the flat one scaled by 0.61/1.34 and 0.694/1.34, so a
// walker at quantile u of the flat speed is at the same quantile on stairs.
constexpr double kWeidmannFlat = 1.34, kWeidmannSd = 0.26;
constexpr double kWeidmannUp = 0.61, kWeidmannDown = 0.694;

Profile weidmann() {
    Profile p;
    p.name = "weidmann";
    p.reference =
        "Weidmann 1993, Transporttechnik der Fussgaenger (ETH Zurich): level free speed "
        "normal(1.34, sd 0.26) m/s truncated at +-3 sd to [0.56, 2.12] m/s; stair speeds 0.61 "
        "m/s up and 0.694 m/s down, as the level distribution scaled by 0.61/1.34 and "
        "0.694/1.34; body radius 0.18 m";
    p.flat = Distribution::normal(kWeidmannFlat, kWeidmannSd, kWeidmannFlat - 3 * kWeidmannSd,
                                  kWeidmannFlat + 3 * kWeidmannSd);
    p.stair_up = p.flat.scaled(kWeidmannUp / kWeidmannFlat);
    p.stair_down = p.flat.scaled(kWeidmannDown / kWeidmannFlat);
    return p;
}

const char* const kImoReference =
    "IMO MSC.1/Circ.1533 (2016), advanced evacuation analysis, population groups: walking "
    "speeds uniform over the ranges given (level, stair down, stair up, m/s); body radius "
    "0.18 m (SafeTwin default)";

/// One IMO group: uniform ranges [lo, hi] in m/s for level, stair down and stair up.
Profile imo(const char* name, double flatLo, double flatHi, double downLo, double downHi,
            double upLo, double upHi) {
    Profile p;
    p.name = name;
    p.reference = kImoReference;
    p.flat = Distribution::uniform(flatLo, flatHi);
    p.stair_down = Distribution::uniform(downLo, downHi);
    p.stair_up = Distribution::uniform(upLo, upHi);
    return p;
}

// Mobility-impaired persons: REFERENCES.md gives only the level range 0.37-1.06 m/s (the
// envelope of IMO's impaired groups). The stair ranges are SafeTwin's assumption: the level
// range scaled by the mean stair/level ratio of IMO's two over-50 groups (ratios of range
// midpoints: down (0.60/0.75 + 0.67/1.12)/2 = 0.70, up (0.49/0.75 + 0.51/1.12)/2 = 0.55),
// giving 0.26-0.74 m/s down and 0.20-0.58 m/s up.
Profile imoImpaired() {
    Profile p = imo("imo_impaired", 0.37, 1.06, 0.26, 0.74, 0.20, 0.58);
    p.reference = std::string(kImoReference) +
                  "; impaired: level 0.37-1.06 m/s (envelope of the IMO impaired groups); "
                  "stairs 0.26-0.74 m/s down and 0.20-0.58 m/s up are SafeTwin's assumption "
                  "(level range x 0.70 and x 0.55, the stair/level ratios of the IMO over-50 "
                  "groups)";
    return p;
}

const std::vector<Profile>& builtins() {
    static const std::vector<Profile> profiles = {
        weidmann(),
        // name, then level, stair down and stair up ranges [m/s]
        imo("imo_females_under_30", 0.93, 1.55, 0.56, 0.94, 0.47, 0.79),
        imo("imo_females_30_50", 0.71, 1.19, 0.49, 0.81, 0.44, 0.74),
        imo("imo_females_over_50", 0.56, 0.94, 0.45, 0.75, 0.37, 0.61),
        imo("imo_males_under_30", 1.11, 1.85, 0.76, 1.26, 0.50, 0.84),
        imo("imo_males_30_50", 0.97, 1.62, 0.64, 1.07, 0.47, 0.79),
        imo("imo_males_over_50", 0.84, 1.40, 0.50, 0.84, 0.38, 0.64),
        imoImpaired(),
    };
    return profiles;
}

}  // namespace

const Profile* builtinProfile(const std::string& name) {
    for (const Profile& p : builtins())
        if (p.name == name) return &p;
    return nullptr;
}

std::vector<std::string> builtinProfileNames() {
    std::vector<std::string> names;
    for (const Profile& p : builtins()) names.push_back(p.name);
    return names;
}

}  // namespace safetwin
