// What is written over the 3D view: a large clock, the counters (out, remaining, exposed,
// incapacitated) and a legend for the current colouring (states, speed or dose ramp, Fruin
// levels, gas scale, sensor states), with Dear ImGui. The same windows serve the viewer
// (inside its own ImGui frame) and offscreen images (OffscreenOverlay: an ImGui context with
// the OpenGL 3 backend, no GLFW). No ImGui types in this header.
#pragma once

#include <memory>
#include <string>

#include "render/Frame.hpp"
#include "render/Renderer.hpp"

namespace safetwin::render {

struct OverlayOptions {
    bool clock = true;
    bool counters = true;
    bool legend = true;
    std::string title;             // e.g. the scenario's name; "" none
    float scale = 1.0f;            // interface scale (big screens) [Limit: [0.5, 8]]
    bool big = false;              // big-screen clock and counters (about 3x)
};

/// Lays out the overlay windows for `frame` in the current ImGui context, between
/// ImGui::NewFrame() and ImGui::Render(). For the viewer; `width` x `height` is the display.
void overlayWindows(const Frame& frame, const DrawOptions& draw, const OverlayOptions& options, int width, int height);

/// "mm:ss.s" (or "h:mm:ss" from an hour), for clocks.
std::string clockText(double seconds);

/// The overlay drawn into the bound framebuffer without a window: owns an ImGui context
/// (fonts: DejaVu Sans when installed, else ImGui's own) and the OpenGL 3 backend. Needs a
/// current OpenGL 3.3 context for its whole life.
class OffscreenOverlay {
public:
    OffscreenOverlay();
    ~OffscreenOverlay();
    OffscreenOverlay(const OffscreenOverlay&) = delete;
    OffscreenOverlay& operator=(const OffscreenOverlay&) = delete;
    void draw(const Frame& frame, const DrawOptions& draw, const OverlayOptions& options, int width, int height);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Loads DejaVu Sans (regular and bold at 2x for the clock) into the current ImGui context's
/// font atlas when the files exist; returns the bold font or null. Call before the atlas is built.
void* loadOverlayFonts(float base_size);

}  // namespace safetwin::render
