package io.leakwatch.alert;

/** How Leakwatch names itself to receivers (OCSF metadata, CEF header, syslog APP-NAME). */
final class Product {
  static final String NAME = "Leakwatch";
  static final String VENDOR = "Leakwatch";
  static final String VERSION = version();

  private Product() {}

  private static String version() {
    String fromJar = Product.class.getPackage().getImplementationVersion();
    return fromJar != null ? fromJar : "0.1.0";
  }
}
