// `safetwin inspect MODEL --json --png DIR` on a real model: the report's keys and figures,
// and one plan view per level.
#include "ImportSupport.hpp"

#include <cstdlib>

#include <nlohmann/json.hpp>

using namespace safetwin;
namespace fs = std::filesystem;

TEST_CASE("inspect reports a model as JSON and draws its levels", "[import][cli]") {
    const fs::path bin = test::binaryDir() / "app" / "safetwin";
    const fs::path model = test::sharedData() / "bim" / "Duplex_A_20110907.ifc";
    if (!fs::exists(bin) || !fs::exists(model)) return;
    const fs::path dir = test::scratchDir("inspect-cli");
    const std::string cmd = bin.string() + " inspect " + model.string() + " --json --png " + (dir / "png").string() + " > " +
                            (dir / "report.json").string();
    REQUIRE(std::system(cmd.c_str()) == 0);
    std::ifstream in(dir / "report.json");
    const nlohmann::json r = nlohmann::json::parse(in);
    for (const char* key : {"levels", "doors", "exits", "stairs", "spaces", "walkable_area_m2", "warnings", "import_s", "obstacles",
                            "bounding_box"})
        CHECK(r.contains(key));
    CHECK(r["levels"].size() == size_t(test::countEntities(model, "IFCBUILDINGSTOREY")));
    CHECK(r["doors"].size() == size_t(test::countEntities(model, "IFCDOOR")));
    CHECK(r["spaces"].size() == size_t(test::countEntities(model, "IFCSPACE")));
    CHECK(r["exits"].size() >= 2);
    CHECK(r["walkable_area_m2"].get<double>() > 100.0);
    // Walkable area per level adds up to the total.
    double sum = 0.0;
    for (const auto& l : r["levels"]) sum += l["walkable_area_m2"].get<double>();
    CHECK(sum == Approx(r["walkable_area_m2"].get<double>()).margin(0.5));
    for (const auto& l : r["levels"]) {
        std::string id = l["id"].get<std::string>();
        for (char& c : id)
            if (c == '/') c = '_';  // "T/FDN" is written as level-T_FDN.png
        CHECK(fs::exists(dir / "png" / ("level-" + id + ".png")));
    }
}
