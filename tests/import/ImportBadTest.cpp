// Bad input: every file in ../shared/data/bim-bad, a missing file, an unsupported format, an
// empty or truncated file, a model with no floor: an InputError naming the file and what was
// expected (exit code 2 from the command line), never a crash.
#include "ImportSupport.hpp"

#include <cstdlib>

#include "scenes/import/ModelImport.hpp"

using namespace safetwin;
namespace fs = std::filesystem;

namespace {

std::string importError(const fs::path& f) {
    try {
        importModel(f.string());
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

void writeFile(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("every file in bim-bad gives a clear error naming it", "[import][bad]") {
    const fs::path dir = test::sharedData() / "bim-bad";
    if (!fs::is_directory(dir)) return;
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        INFO(e.path().filename().string());
        const std::string msg = importError(e.path());
        CHECK(msg.find(e.path().string()) != std::string::npos);
        ++n;
    }
    CHECK(n >= 3);
    SECTION("an IFC4 file is named as such, with what to do") {
        const std::string msg = importError(dir / "AC20-FZK-Haus_IFC4.ifc");
        CHECK(msg.find("IFC4") != std::string::npos);
        CHECK(msg.find("IFC 2x3") != std::string::npos);
    }
    SECTION("a zipped IFC says to unzip it") {
        CHECK(importError(dir / "AC11-Institute-Var-2.ifczip").find("unzip") != std::string::npos);
    }
}

TEST_CASE("missing, unsupported, empty, truncated and floorless models are input errors", "[import][bad]") {
    const fs::path tmp = test::scratchDir("import-bad");
    CHECK(importError(tmp / "nowhere.ifc").find("not found") != std::string::npos);
    writeFile(tmp / "plan.txt", "a plan\n");
    CHECK(importError(tmp / "plan.txt").find("unsupported model format") != std::string::npos);
    writeFile(tmp / "empty.ifc", "");
    CHECK(importError(tmp / "empty.ifc").find("empty") != std::string::npos);
    writeFile(tmp / "empty.pcd", "");
    CHECK(importError(tmp / "empty.pcd").find("empty") != std::string::npos);
    writeFile(tmp / "garbage.glb", "glTF this is not a binary glTF");
    CHECK(importError(tmp / "garbage.glb").find("garbage.glb") != std::string::npos);
    // A wall standing on nothing: one vertical quad.
    writeFile(tmp / "wall.obj", "v 0 0 0\nv 4 0 0\nv 4 0 3\nv 0 0 3\nf 1 2 3\nf 1 3 4\n");
    ImportOptions zUp;
    zUp.up = ImportOptions::Up::Z;
    std::string floorless;
    try {
        importModel((tmp / "wall.obj").string(), zUp);
    } catch (const InputError& e) {
        floorless = e.what();
    }
    CHECK(floorless.find("no floor") != std::string::npos);
    CHECK(floorless.find("wall.obj") != std::string::npos);

    const fs::path duplex = test::sharedData() / "bim" / "Duplex_A_20110907.ifc";
    if (fs::exists(duplex)) {
        std::ifstream in(duplex, std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        writeFile(tmp / "truncated.ifc", text.substr(0, text.size() / 2));
        const std::string msg = importError(tmp / "truncated.ifc");
        CHECK(msg.find("truncated.ifc") != std::string::npos);
    }
}

TEST_CASE("the command line exits with 2 on a bad model", "[import][bad][cli]") {
    const fs::path bin = test::binaryDir() / "app" / "safetwin";
    if (!fs::exists(bin)) return;
    const fs::path tmp = test::scratchDir("import-bad-cli");
    writeFile(tmp / "empty.glb", "");
    const std::string cmd = bin.string() + " inspect " + (tmp / "empty.glb").string() + " > " + (tmp / "out.txt").string() + " 2>&1";
    const int rc = std::system(cmd.c_str());
    CHECK(WEXITSTATUS(rc) == 2);
    std::ifstream in(tmp / "out.txt");
    std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(out.find("empty.glb") != std::string::npos);
}
