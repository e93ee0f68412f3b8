#include "RenderBackend.h"

#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QQuickWindow>
#include <QSGRendererInterface>

using namespace Qt::StringLiterals;

namespace Pulseboard {

bool parseRendererMode(const QString &text, RendererMode *mode, QString *error)
{
    if (text == "auto"_L1)
        *mode = RendererMode::Auto;
    else if (text == "software"_L1)
        *mode = RendererMode::Software;
    else if (text == "gpu"_L1)
        *mode = RendererMode::Gpu;
    else {
        *error = u"--renderer must be auto, software or gpu, got '%1'"_s.arg(text);
        return false;
    }
    return true;
}

bool isCpuRasteriser(const QString &glRenderer)
{
    static const QLatin1StringView names[] = {"llvmpipe"_L1, "softpipe"_L1, "swrast"_L1,
                                              "software rasterizer"_L1, "swiftshader"_L1};
    for (QLatin1StringView name : names)
        if (glRenderer.contains(name, Qt::CaseInsensitive))
            return true;
    return false;
}

namespace {

// The GL_RENDERER string of the default OpenGL configuration, or empty when there is none.
QString probeOpenGlRenderer()
{
    QOpenGLContext context;
    if (!context.create())
        return {};
    QOffscreenSurface surface;
    surface.setFormat(context.format());
    surface.create();
    if (!surface.isValid() || !context.makeCurrent(&surface))
        return {};
    const auto *name = reinterpret_cast<const char *>(context.functions()->glGetString(GL_RENDERER));
    const QString renderer = name ? QString::fromLatin1(name) : QString();
    context.doneCurrent();
    return renderer;
}

} // namespace

RenderChoice applyRendererMode(RendererMode mode)
{
    if (mode == RendererMode::Software) {
        QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
        return {true, u"software (asked for)"_s};
    }
    if (mode == RendererMode::Gpu)
        return {false, u"GPU (asked for)"_s};
    const QByteArray backend = qgetenv("QT_QUICK_BACKEND");
    if (!backend.isEmpty() || qEnvironmentVariableIsSet("QSG_RHI_BACKEND")) {
        const bool software = backend == "software";
        return {software, u"%1 (from the environment)"_s.arg(software ? u"software"_s : u"GPU"_s)};
    }
    const QString gl = probeOpenGlRenderer();
    if (gl.isEmpty()) {
        QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
        return {true, u"software (no OpenGL here)"_s};
    }
    if (isCpuRasteriser(gl)) {
        QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
        return {true, u"software (OpenGL here is %1, a CPU rasteriser)"_s.arg(gl.section(u' ', 0, 0))};
    }
    return {false, u"GPU (%1)"_s.arg(gl)};
}

} // namespace Pulseboard
