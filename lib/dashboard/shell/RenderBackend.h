// RenderBackend: chooses how Qt Quick draws, before the first window exists.
//
// With a GPU, Qt Quick's OpenGL path is the fastest. Without one (a VM, a thin-client kiosk,
// a remote desktop, Xvfb) the OpenGL driver is a CPU rasteriser such as Mesa's llvmpipe, which
// emulates a GPU pixel by pixel: for this dashboard (charts painted by QPainter, then drawn as
// textures) Qt Quick's own software renderer is then much cheaper, because it paints only what
// changed. `auto` probes the OpenGL driver once and picks the software renderer for a CPU
// rasteriser or when there is no OpenGL at all; QT_QUICK_BACKEND / QSG_RHI_BACKEND in the
// environment are respected as they are.
#pragma once

#include <QString>

namespace Pulseboard {

enum class RendererMode { Auto, Software, Gpu };

struct RenderChoice
{
    bool software = false;
    QString description; // what draws, in words, e.g. "software (OpenGL here is llvmpipe)"
};

// "auto", "software" or "gpu"; false with `error` set otherwise.
bool parseRendererMode(const QString &text, RendererMode *mode, QString *error);

// Whether an OpenGL GL_RENDERER string names a CPU rasteriser (llvmpipe, softpipe, swrast,
// the "Software Rasterizer" of GDI/Apple, SwiftShader).
bool isCpuRasteriser(const QString &glRenderer);

// Needs a QGuiApplication; call before any QQuickWindow exists. Sets the scene graph's
// graphics API accordingly and says what was chosen and why.
RenderChoice applyRendererMode(RendererMode mode);

} // namespace Pulseboard
