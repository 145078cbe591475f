// Sub-commands of the `safetwin` command line. Each registers its options on the CLI11 app
// and returns the exit code when run.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace safetwin {

using CommandFn = std::function<int()>;

CommandFn addRunCommand(CLI::App& app);
CommandFn addVerifyCommand(CLI::App& app);
CommandFn addBenchCommand(CLI::App& app);
CommandFn addCompareCommand(CLI::App& app);
CommandFn addBatchCommand(CLI::App& app);
CommandFn addInspectCommand(CLI::App& app);
CommandFn addLiveCommand(CLI::App& app);
CommandFn addRenderCommand(CLI::App& app);
CommandFn addViewCommand(CLI::App& app);
CommandFn addHazardsCommand(CLI::App& app);
CommandFn addForecastCommand(CLI::App& app);

}  // namespace safetwin
