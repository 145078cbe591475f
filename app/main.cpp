// safetwin: the command line. Exit codes: 0 success, 1 a check failed or an internal error,
// 2 bad input (a file, a value or an option).
#include <cstdio>
#include <exception>

#include "app/Commands.hpp"
#include "scenes/InputError.hpp"

int main(int argc, char** argv) {
    CLI::App app{"SafeTwin: evacuation and hazard digital twin (headless command line)"};
    app.require_subcommand(1);
    std::vector<std::pair<CLI::App*, safetwin::CommandFn>> commands;
    auto add = [&](safetwin::CommandFn (*fn)(CLI::App&)) {
        const size_t before = app.get_subcommands({}).size();
        safetwin::CommandFn f = fn(app);
        commands.push_back({app.get_subcommands({})[before], std::move(f)});
    };
    add(&safetwin::addRunCommand);
    add(&safetwin::addVerifyCommand);
    add(&safetwin::addBenchCommand);
    add(&safetwin::addCompareCommand);
    add(&safetwin::addBatchCommand);
    add(&safetwin::addInspectCommand);
    add(&safetwin::addLiveCommand);
    add(&safetwin::addRenderCommand);
    add(&safetwin::addViewCommand);
    add(&safetwin::addHazardsCommand);
    add(&safetwin::addForecastCommand);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    try {
        for (auto& [sub, fn] : commands)
            if (sub->parsed()) return fn();
    } catch (const safetwin::InputError& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
