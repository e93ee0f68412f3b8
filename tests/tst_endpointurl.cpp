// EndpointUrl::parse, the one rule for server URLs: which texts name an endpoint, what comes back,
// and the words of every refusal (the CLI, config files and server profiles show them as they are).
#include "protocol/EndpointUrl.h"

#include <QTest>

using namespace Pulseboard;
using namespace Qt::StringLiterals;

class tst_EndpointUrl : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void accepts_data();
    void accepts();
    void refuses_data();
    void refuses();
    void errorIsOptional();
};

void tst_EndpointUrl::accepts_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QUrl>("expected");
    QTest::newRow("ws") << u"ws://127.0.0.1:8765/"_s << QUrl(u"ws://127.0.0.1:8765/"_s);
    QTest::newRow("wss") << u"wss://hub.example"_s << QUrl(u"wss://hub.example"_s);
    QTest::newRow("uppercase scheme and host")
        << u"WS://Hub.Example:80/"_s << QUrl(u"ws://hub.example:80/"_s);
    QTest::newRow("path and query kept")
        << u"ws://h:1/feed/v1?token=abc&x=1"_s << QUrl(u"ws://h:1/feed/v1?token=abc&x=1"_s);
    QTest::newRow("highest port") << u"ws://h:65535"_s << QUrl(u"ws://h:65535"_s);
    QTest::newRow("ipv6") << u"ws://[::1]:9000/"_s << QUrl(u"ws://[::1]:9000/"_s);
    QTest::newRow("user info kept") << u"wss://u:pw@h/"_s << QUrl(u"wss://u:pw@h/"_s);
}

void tst_EndpointUrl::accepts()
{
    QFETCH(QString, text);
    QFETCH(QUrl, expected);
    QString error = u"untouched"_s;
    const std::optional<QUrl> url = EndpointUrl::parse(text, &error);
    QVERIFY2(url.has_value(), qPrintable(error));
    QCOMPARE(*url, expected);
    QCOMPARE(url->toString(), expected.toString());
    QCOMPARE(error, u"untouched"_s); // left alone on success
}

void tst_EndpointUrl::refuses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    const QString tail = u" is not a ws:// or wss:// URL"_s;
    QTest::newRow("http") << u"http://a:1/"_s << u"'http://a:1/'"_s + tail;
    QTest::newRow("no scheme") << u"localhost:8080"_s << u"'localhost:8080'"_s + tail;
    QTest::newRow("bare host") << u"example.com"_s << u"'example.com'"_s + tail;
    QTest::newRow("empty") << QString() << u"''"_s + tail + u": it is empty"_s;
    QTest::newRow("missing host") << u"ws:///x"_s << u"'ws:///x'"_s + tail + u": it names no host"_s;
    QTest::newRow("scheme only") << u"ws://"_s << u"'ws://'"_s + tail + u": it names no host"_s;
    QTest::newRow("port without host") << u"wss://:80"_s << u"'wss://:80'"_s + tail + u": it names no host"_s;
    QTest::newRow("port out of range")
        << u"ws://h:65536"_s << u"'ws://h:65536'"_s + tail + u": its port is not a number from 0 to 65535"_s;
    QTest::newRow("port not a number")
        << u"ws://h:abc/"_s << u"'ws://h:abc/'"_s + tail + u": its port is not a number from 0 to 65535"_s;
    QTest::newRow("leading space") << u" ws://h:1"_s
                                   << u"' ws://h:1'"_s + tail + u": it contains whitespace"_s;
    QTest::newRow("trailing newline")
        << u"ws://h:1\n"_s << u"'ws://h:1\n'"_s + tail + u": it contains whitespace"_s;
    QTest::newRow("space in path") << u"ws://h/a b"_s
                                   << u"'ws://h/a b'"_s + tail + u": it contains whitespace"_s;
    // Credentials and queries stay out of the message.
    QTest::newRow("secrets not shown") << u"http://user:secret@h/?token=t0k"_s << u"'http://h/'"_s + tail;
    QTest::newRow("secrets not shown, unparsable")
        << u"ws://user:secret@h/ x?token=t0k"_s << u"'ws://h/ x'"_s + tail + u": it contains whitespace"_s;
}

void tst_EndpointUrl::refuses()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    QString actual;
    QVERIFY(!EndpointUrl::parse(text, &actual).has_value());
    QCOMPARE(actual, error);
}

void tst_EndpointUrl::errorIsOptional()
{
    QVERIFY(!EndpointUrl::parse(u"http://x/"_s).has_value());
    QVERIFY(EndpointUrl::parse(u"ws://x/"_s).has_value());
}

QTEST_GUILESS_MAIN(tst_EndpointUrl)
#include "tst_endpointurl.moc"
