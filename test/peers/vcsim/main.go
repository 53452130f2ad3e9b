// Command vcsim starts VMware's vCenter simulator (govmomi 0.24) on 127.0.0.1 with our own
// TLS certificate and a random password, prints one JSON line (url, username, password,
// caPem) and serves until stdin closes or it is killed. Built in GOPATH mode by ../vcsim.ts.
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/url"
	"os"
	"time"

	"github.com/vmware/govmomi/simulator"
)

func selfSigned() (tls.Certificate, string) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "vcsim test peer"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		log.Fatal(err)
	}
	certPem := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPem := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	pair, err := tls.X509KeyPair(certPem, keyPem)
	if err != nil {
		log.Fatal(err)
	}
	return pair, string(certPem)
}

func main() {
	model := simulator.VPX()
	if err := model.Create(); err != nil {
		log.Fatal(err)
	}
	defer model.Remove()

	secret := make([]byte, 12)
	if _, err := rand.Read(secret); err != nil {
		log.Fatal(err)
	}
	username, password := "administrator@vsphere.local", hex.EncodeToString(secret)
	// A non-default user makes vcsim check the password (the default accepts anything).
	cert, caPem := selfSigned()
	model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	model.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword(username, password)}

	server := model.Service.NewServer()
	defer server.Close()

	u := *server.URL
	u.User = nil
	line, _ := json.Marshal(map[string]string{"url": u.String(), "username": username, "password": password, "caPem": caPem})
	os.Stdout.Write(append(line, '\n'))

	_, _ = io.Copy(io.Discard, os.Stdin) // serve until the parent closes stdin
}
