// Every model in ../shared/data/bim imports; its storeys, doors and spaces agree with the
// entities written in the IFC text; people spread over all spaces evacuate, and those who
// cannot are reported with their space and the reason.
#include "ImportSupport.hpp"

#include <algorithm>
#include <map>

#include "scenes/import/ModelImport.hpp"

using namespace safetwin;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> bimFiles() {
    std::vector<fs::path> files;
    const fs::path dir = test::sharedData() / "bim";
    if (!fs::is_directory(dir)) return files;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".ifc") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

TEST_CASE("every BIM model imports with the storeys, doors and spaces of its IFC text", "[import][bim]") {
    const auto files = bimFiles();
    if (files.empty()) return;  // sharedData() has said why
    CHECK(files.size() >= 6);
    for (const fs::path& f : files) {
        INFO(f.filename().string());
        ImportStats stats;
        const Scene scene = importModel(f.string(), {}, &stats);
        int doors = 0, spaces = 0;
        for (const Level& l : scene.levels) {
            doors += int(l.doors.size());
            spaces += int(l.spaces.size());
        }
        CHECK(test::storeyLevels(scene) == test::countEntities(f, "IFCBUILDINGSTOREY"));
        CHECK(doors == test::countEntities(f, "IFCDOOR"));
        CHECK(spaces == test::countEntities(f, "IFCSPACE"));
        // Door widths come from the model: a door is between 0.4 and 3 m wide.
        for (const Level& l : scene.levels)
            for (const Door& d : l.doors) {
                CHECK(d.width >= 0.4);
                CHECK(d.width <= 3.0);
            }
        // The model's triangles are kept, with their IFC classes.
        REQUIRE(scene.model);
        CHECK(std::any_of(scene.model->elements.begin(), scene.model->elements.end(),
                          [](const ModelElement& e) { return e.ifc_class.rfind("IfcWall", 0) == 0; }));
    }
}

TEST_CASE("storeys have their elevations and doors their widths (Duplex)", "[import][bim]") {
    const fs::path f = test::sharedData() / "bim" / "Duplex_A_20110907.ifc";
    if (!fs::exists(f)) return;
    const Scene scene = importModel(f.string());
    // IFC text: Level 1 at 0 ft... the file is in metres: storey elevations -1.25 (T/FDN, its
    // footing top), 0, 3.1 and 6.0 m; spaces stand on their storey's floor.
    std::map<std::string, double> elev;
    for (const Level& l : scene.levels) elev[l.id] = l.elevation;
    CHECK(elev.at("Level1") == Approx(0.0).margin(0.05));
    CHECK(elev.at("Level2") == Approx(3.1).margin(0.05));
    // The entrance doors are 1250 mm wide (their IFC type name says so).
    int wide = 0;
    for (const Level& l : scene.levels)
        for (const Door& d : l.doors) wide += std::abs(d.width - 1.25) < 0.01 ? 1 : 0;
    CHECK(wide == 2);
    // Both straight stairs join Level1 and Level2, with the model's 0.25 m treads.
    REQUIRE(scene.stairs.size() == 2);
    for (const Stair& s : scene.stairs) {
        CHECK(s.lower_id == "Level1");
        CHECK(s.upper_id == "Level2");
        CHECK(s.tread == Approx(0.25).margin(0.01));
    }
}

TEST_CASE("people in every space of every BIM model evacuate or are reported with a reason", "[import][bim][evacuation]") {
    for (const fs::path& f : bimFiles()) {
        INFO(f.filename().string());
        ImportStats stats;
        Scene scene = importModel(f.string(), {}, &stats);
        if (scene.exits.empty() && std::none_of(scene.levels.begin(), scene.levels.end(), [](const Level& l) {
                return std::any_of(l.doors.begin(), l.doors.end(), [](const Door& d) { return d.exit; });
            })) {
            // No door leads outside (IfcOpenHouse has no floor inside its walls): the report
            // says so, and there is nobody to place since the model has no spaces.
            CHECK(test::countEntities(f, "IFCSPACE") == 0);
            continue;
        }
        resolveScene(scene);
        const NavGrid grid(scene, NavOptions{});
        std::vector<std::string> unplaced;
        std::vector<Population> pops = peopleInSpaces(scene, grid, &unplaced);
        const WalkableSummary walk = summariseWalkable(grid);
        for (const std::string& u : unplaced) WARN(f.filename().string() << ": not placed: " << u);
        if (pops.empty()) continue;
        const auto sim = test::evacuate(scene, pops);
        int placed = 0;
        for (const Population& p : pops) placed += p.count;
        // Everyone either left or is listed as unreachable, with the space they are in and why.
        CHECK(sim->evacuated() + int(sim->unreachable().size()) == placed);
        for (const Unreachable& u : sim->unreachable()) {
            const std::string& space = pops[size_t(sim->agents()[size_t(u.agent)].population)].name;
            std::string why = "no walkable path to an exit";
            for (const Island& is : walk.islands)
                if (scene.levels[size_t(is.level)].id == u.level) why = "on a walkable island with no exit (see warnings)";
            for (const std::string& w : stats.warnings)
                if (w.find("is not linked") != std::string::npos) why += "; " + w;
            WARN(f.filename().string() << ": person in space " << space << " on " << u.level << " cannot leave: " << why);
            CHECK(!space.empty());
        }
        // On levels with an exit nearly everyone leaves (a few may stand in pockets that the
        // inspection lists as islands).
        int onExitLevels = 0;
        for (const Population& p : pops)
            for (const Exit& e : scene.exits)
                if (e.level_id == p.level_id) { onExitLevels += p.count; break; }
        CHECK(sim->evacuated() >= int(0.8 * onExitLevels));
    }
}

TEST_CASE("Office A: both storeys empty through the two stair cores", "[import][bim][evacuation]") {
    const fs::path f = test::sharedData() / "bim" / "Office_A_20110811.ifc";
    if (!fs::exists(f)) return;
    Scene scene = importModel(f.string());
    resolveScene(scene);
    // Two stairs of two straight flights each, joined by landings.
    CHECK(scene.stairs.size() == 4);
    const NavGrid grid(scene, NavOptions{});
    std::vector<Population> pops{test::spreadPeople(grid, scene.levelIndex("Level1"), 60, "ground"),
                                 test::spreadPeople(grid, scene.levelIndex("Level2"), 60, "upper")};
    const auto sim = test::evacuate(scene, pops);
    const int placed = pops[0].count + pops[1].count;
    REQUIRE(placed >= 100);
    // Nearly everyone leaves; the few who cannot stand in pockets the inspection reports.
    CHECK(sim->evacuated() >= int(0.95 * placed));
    int upperOut = 0;
    for (const AgentRecord& a : sim->agents()) upperOut += a.population == 1 && a.exit >= 0 ? 1 : 0;
    CHECK(upperOut >= int(0.9 * pops[1].count));
}
