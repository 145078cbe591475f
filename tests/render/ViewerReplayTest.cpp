// `safetwin view --results DIR`: a results folder from another scenario or without a replay gets
// a clear message (exit 2, no crash, even without a display), and a replay exports to a video
// at a size larger than the screen through ffmpeg, with no window at all.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "render/RenderSupport.hpp"
#include "TestSupport.hpp"

using namespace safetwin;

namespace {

const std::string kCli = SAFETWIN_BINARY_DIR "/app/safetwin";

int run(const std::string& args, const std::filesystem::path& log) {
    const int rc = std::system((kCli + " " + args + " > " + log.string() + " 2>&1").c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/// A recorded run of the two-room scenario in dir/run (replay.bin at 2 frames/s).
void record(const std::filesystem::path& dir) {
    test::writeFile(dir / "rooms.yaml", test::twoRoomScenario());
    REQUIRE(run("run " + (dir / "rooms.yaml").string() + " --record --out " + (dir / "run").string(), dir / "record.txt") == 0);
}

}  // namespace

TEST_CASE("Viewer replay: another scenario or no replay is a clear message", "[viewer]") {
    const auto dir = test::scratchDir("viewer-replay-bad");
    record(dir);
    SECTION("the scenario file changed since the run") {
        test::writeFile(dir / "rooms.yaml", test::twoRoomScenario(30));
        const int rc = run("view --results " + (dir / "run").string(), dir / "log.txt");
        const std::string log = test::readFile(dir / "log.txt");
        INFO(log);
        CHECK(rc == 2);
        CHECK(log.find("error:") != std::string::npos);
        CHECK(log.find("rooms.yaml") != std::string::npos);
    }
    SECTION("a folder without a replay") {
        const int rc = run("view --results " + dir.string(), dir / "log.txt");
        const std::string log = test::readFile(dir / "log.txt");
        INFO(log);
        CHECK(rc == 2);
        CHECK(log.find("--record") != std::string::npos);
    }
}

TEST_CASE("Viewer replay: video export at a size larger than the screen", "[viewer][video]") {
    if (std::system("command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1") != 0) {
        if (std::getenv("CI")) FAIL("CI is set but ffmpeg (Debian package ffmpeg) is missing");
        WARN("skipped: ffmpeg is missing (Debian package ffmpeg)");
        return;
    }
    if (!test::offscreenOrSkip()) return;
    const auto dir = test::scratchDir("viewer-video");
    record(dir);
    // 0 to 2 s at 5 frames per second: 11 frames of 2560x1440.
    const int rc = run("view --results " + (dir / "run").string() + " --video " + (dir / "drill.mp4").string() +
                           " --video-size 2560x1440 --fps 5 --exit-at 2",
                       dir / "log.txt");
    INFO(test::readFile(dir / "log.txt"));
    REQUIRE(rc == 0);
    REQUIRE(std::filesystem::exists(dir / "drill.mp4"));
    const std::string probe = "ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames,width,height -of csv=p=0 " +
                              (dir / "drill.mp4").string() + " > " + (dir / "probe.txt").string();
    REQUIRE(std::system(probe.c_str()) == 0);
    CHECK(test::readFile(dir / "probe.txt").find("2560,1440,11") != std::string::npos);
}
