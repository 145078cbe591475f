// What an open hazard does to a simulation, written in the register's `effect` column as a short
// text that survives a CSV round trip and a command line. Several effects are separated by ';'.
//
//   close_door:<door id>                      a door blocked or locked: closed for the whole run
//   close_exit:<exit id>                      an exit out of use (its door closed, or the exit removed)
//   block:<level id>:<x0>,<y0>,<x1>,<y1>      goods or works blocking a route: an obstacle [Units: m]
//   slow:<space id>:<factor>                  people walk at factor x their speed in a space
//   slow:<level id>:<x0>,<y0>,<x1>,<y1>:<factor>   ... or in a rectangle (failed emergency lighting)
//   disable_detector:<detector id>            a gas detector out of service (no alarm from it)
//
// Parsing checks the syntax and ranges only; the names are checked against a scene when the
// effects are applied (live/forecast/HazardScene.hpp).
#pragma once

#include <string>
#include <vector>

#include "scenes/Geometry.hpp"

namespace safetwin {

struct HazardEffect {
    enum class Kind { CloseDoor, CloseExit, Block, Slow, DisableDetector };
    Kind kind = Kind::CloseDoor;
    std::string target;  // door, exit, space or detector id; the level for a rectangle
    bool rect = false;   // Block and Slow: a rectangle on level `target`
    Vec2 min, max;       // the rectangle [Units: m]
    double factor = 1.0; // Slow: speed factor [Limit: (0, 1]]
    std::string text;    // as written
};

/// Parses an `effect` text ("" gives none). Throws InputError at `where` naming the bad part.
std::vector<HazardEffect> parseHazardEffects(const std::string& text, const std::string& where);

}  // namespace safetwin
